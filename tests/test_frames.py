"""Frames, parts and statuses: exact wire format and strict parsing of bus data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecam.frames import CameraStatus, Frame, build_part

JPEG = b"\xff\xd8abc\xff\xd9"


def test_part_layout_puts_the_boundary_right_after_the_jpeg():
    part = build_part(JPEG, 1700000000.25)
    assert part == (
        b"Content-Type: image/jpeg\r\nContent-Length: 7\r\nX-Timestamp: 1700000000.250000\r\n"
        b"\r\n" + JPEG + b"\r\n--frame\r\n"
    )


def test_frame_builds_its_part_once():
    frame = Frame.create("cam", 1, JPEG, 2, 2, captured_at=5.0)
    assert frame.part == build_part(JPEG, 5.0)


def test_status_round_trips():
    status = CameraStatus("cam", state="error", enabled=True, error="gone", retry_at=3.5)
    assert CameraStatus.from_dict(status.to_dict()) == status


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"camera_id": 5},
        {"camera_id": "c", "state": "exploded"},
        {"camera_id": "c", "width": "640"},
        {"camera_id": "c", "enabled": "yes"},
        {"camera_id": "c", "fps": True},
        {"camera_id": "c" * 2000},
    ],
)
def test_status_rejects_malformed_data(data):
    with pytest.raises(ValueError):
        CameraStatus.from_dict(data)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "camera_id",
                "state",
                "enabled",
                "label",
                "error",
                "width",
                "height",
                "fps",
                "last_frame_at",
                "retry_at",
                "reconnects",
                "junk",
            ]
        ),
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    )
)
def test_status_parsing_never_fails_unexpectedly(data):
    try:
        status = CameraStatus.from_dict(data)
    except ValueError:
        return
    assert isinstance(status.camera_id, str)
