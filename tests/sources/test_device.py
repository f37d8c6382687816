"""V4L2 webcams: what can be checked without a camera, and a real one when there is one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from livecam.sources.base import CaptureOptions, SourceError, SourceSpec
from livecam.sources.device import DeviceSource
from tests.support.sources import source_for


def device(path: str) -> DeviceSource:
    return DeviceSource(SourceSpec("device", path), CaptureOptions())


def test_a_missing_device_is_a_clear_error():
    assert not os.path.exists("/dev/video9")
    with pytest.raises(SourceError, match=r"^no camera at /dev/video9$"):
        source_for("device:9").open()


def test_a_missing_by_id_link_is_a_clear_error():
    path = "/dev/v4l/by-id/usb-Nothing_Here-video-index0"
    with pytest.raises(SourceError, match=rf"^no camera at {path}$"):
        source_for(f"device:{path}").open()


def test_a_file_is_not_a_camera(tmp_path: Path):
    path = tmp_path / "video0"
    path.write_bytes(b"")
    with pytest.raises(SourceError, match="is not a camera device"):
        device(str(path)).open()


def test_a_character_device_that_is_not_a_camera_fails_quickly():
    started = time.monotonic()
    with pytest.raises(SourceError, match="cannot open /dev/null"):
        device("/dev/null").open()
    assert time.monotonic() - started < 3


def test_close_before_open_and_twice_is_harmless():
    source = device("/dev/video9")
    source.close()
    source.close()
    with pytest.raises(SourceError):
        source.read()


@pytest.mark.hardware
def test_a_real_camera_delivers_frames():  # pragma: no cover - needs a webcam
    path = os.environ.get("LIVECAM_TEST_DEVICE")
    if not path:
        pytest.skip("set LIVECAM_TEST_DEVICE=/dev/videoN to test a real webcam")
    source = device(path)
    source.options = CaptureOptions(640, 480, 15)
    with source:
        frames = [source.read() for _ in range(20)]
    for frame in frames:
        assert frame.width > 0 and frame.height > 0
        if source.passes_jpeg:
            assert frame.jpeg is not None and frame.jpeg[:2] == b"\xff\xd8"
        else:
            assert frame.image is not None and frame.image.shape[:2] == (frame.height, frame.width)
