"""What crosses Redis: the frame envelope and JSON messages round-trip; anything else is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecam.bus import codec
from livecam.bus.base import ControlMessage
from livecam.frames import CameraStatus, build_part
from tests.bus.support import make_frame

MAX = 1024 * 1024


def test_a_frame_round_trips_with_its_part_rebuilt():
    frame = make_frame(42, "front-door_2")
    decoded = codec.decode_frame(codec.encode_frame(frame), MAX)
    assert (decoded.camera_id, decoded.seq, decoded.captured_at) == (
        "front-door_2",
        42,
        frame.captured_at,
    )
    assert (decoded.width, decoded.height, decoded.jpeg) == (64, 48, frame.jpeg)
    assert decoded.part == build_part(frame.jpeg, frame.captured_at) == frame.part


def test_the_envelope_is_the_jpeg_behind_a_small_header():
    frame = make_frame(1)
    blob = codec.encode_frame(frame)
    assert blob.startswith(codec.MAGIC) and blob.endswith(frame.jpeg)
    assert len(blob) - len(frame.jpeg) == 30 + len("cam")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b[:10],
        lambda b: b + b"x",
        lambda b: b[:-1],
        lambda b: b"XXXX" + b[4:],
        lambda b: b[:30] + b"c/m" + b[33:],  # a camera id that is not a slug
        lambda b: b[:33] + b"\x00\x00" + b[35:],  # not a JPEG
    ],
)
def test_broken_envelopes_are_refused(mutate):
    with pytest.raises(codec.MalformedMessageError):
        codec.decode_frame(mutate(codec.encode_frame(make_frame(1))), MAX)


def test_an_oversized_frame_is_refused():
    with pytest.raises(codec.MalformedMessageError):
        codec.decode_frame(codec.encode_frame(make_frame(1)), 100)


@given(st.binary(max_size=200))
def test_random_bytes_never_pass_or_crash(data):
    for decode in (
        lambda: codec.decode_frame(data, MAX),
        lambda: codec.decode_status(data),
        lambda: codec.decode_control(data),
        lambda: codec.decode_camera_id(data),
    ):
        try:
            decode()
        except codec.MalformedMessageError:
            pass


def test_statuses_and_control_round_trip_and_are_validated():
    status = CameraStatus("cam", state="error", enabled=True, error="unplugged", fps=2.5)
    assert codec.decode_status(codec.encode_status(status)) == status
    message = ControlMessage("changed", "cam")
    assert codec.decode_control(codec.encode_control(message)) == message
    for bad in (
        b'{"camera_id":"cam","state":"online","fps":NaN}',
        b'{"camera_id":"../x","state":"online"}',
        b'{"camera_id":"cam","enabled":"yes"}',
        b'"cam"',
        b"[" * 5000,
        b"{" + b" " * 9000 + b"}",
    ):
        with pytest.raises(codec.MalformedMessageError):
            codec.decode_status(bad)
    with pytest.raises(codec.MalformedMessageError):
        codec.decode_control(b'{"action":"changed","camera_id":"a b"}')
