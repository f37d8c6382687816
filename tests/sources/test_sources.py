"""Each source kind read for real: pattern, file, relay, network video, device errors."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from livecam.sources import make_source, parse_source
from livecam.sources.base import CaptureOptions, FrameSource, SourceError
from livecam.sources.mjpeg import MjpegSource
from tests.support.mjpeg_server import MjpegTestServer, make_jpegs
from tests.support.server import free_port


def source_for(text: str, **options: float) -> FrameSource:
    return make_source(parse_source(text), CaptureOptions(**options))  # type: ignore[arg-type]


def read_many(source: FrameSource, count: int = 100) -> None:
    for _ in range(count):
        source.read()


def test_pattern_frames_move_at_the_asked_rate():
    source = source_for("pattern:", width=320, height=240, fps=30)
    with source:
        first = source.read()
        started = time.monotonic()
        frames = [source.read() for _ in range(15)]
        rate = 15 / (time.monotonic() - started)
    assert first.image is not None and first.image.shape == (240, 320, 3)
    assert 20 < rate < 40
    assert all((a.image != b.image).any() for a, b in itertools.pairwise(frames))


def test_closing_from_another_thread_unblocks_a_read():
    source = source_for("pattern:", width=64, height=48, fps=0.2)
    source.open()
    source.read()
    threading.Timer(0.2, source.close).start()
    started = time.monotonic()
    with pytest.raises(SourceError):
        source.read()
    assert time.monotonic() - started < 2


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25, (320, 240))
    for index in range(20):
        writer.write(np.full((240, 320, 3), index * 10, dtype=np.uint8))
    writer.release()
    return path


def test_file_loops_at_its_own_rate(clip: Path):
    source = source_for(f"file:{clip}")
    with source:
        source.read()
        started = time.monotonic()
        frames = [source.read() for _ in range(30)]  # more than the 20 in the file
        rate = 30 / (time.monotonic() - started)
    assert all(f.image is not None and f.image.shape == (240, 320, 3) for f in frames)
    assert 15 < rate < 35
    levels = [int(f.image.mean()) for f in frames if f.image is not None]
    assert levels.index(min(levels)) > 0, "the file started again from its first frame"


def test_file_deleted_while_playing_becomes_an_error(clip: Path):
    source = source_for(f"file:{clip}", fps=200)
    with source:
        source.read()
        clip.unlink()
        with pytest.raises(SourceError, match="not found"):
            read_many(source, 200)


def test_missing_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(SourceError, match="file not found"):
        source_for(f"file:{tmp_path / 'gone.mp4'}").open()


def test_relay_passes_jpegs_through_byte_identical():
    frames = make_jpegs(4)
    with MjpegTestServer(frames, fps=50) as upstream:
        source = source_for(f"mjpeg+{upstream.url}")
        with source:
            received = [source.read() for _ in range(8)]
    assert all(f.jpeg in frames and f.image is None for f in received)
    assert {(f.width, f.height) for f in received} == {(160, 120)}
    assert source.passes_jpeg


def test_relay_drops_corrupt_parts_and_counts_them():
    frames = make_jpegs(2)
    with MjpegTestServer(frames, fps=60, content_length=False) as upstream:
        upstream.mode = "garbage"
        source = source_for(f"mjpeg+{upstream.url}")
        assert isinstance(source, MjpegSource)
        with source:
            received = [source.read() for _ in range(5)]
    assert all(f.jpeg in frames for f in received)
    assert source.dropped >= 4


def test_relay_notices_a_stalled_upstream():
    with MjpegTestServer(make_jpegs(2), fps=50) as upstream:
        source = MjpegSource(parse_source(f"mjpeg+{upstream.url}"), CaptureOptions(), timeout=0.5)
        with source:
            source.read()
            upstream.mode = "stall"
            started = time.monotonic()
            with pytest.raises(SourceError, match="timed out"):
                read_many(source)
            assert time.monotonic() - started < 3


def test_relay_notices_the_upstream_going_away():
    with MjpegTestServer(make_jpegs(2), fps=50) as upstream:
        source = source_for(f"mjpeg+{upstream.url}")
        with source:
            source.read()
            upstream.stop()
            with pytest.raises(SourceError):
                read_many(source)


def test_relay_sends_credentials_and_never_shows_them():
    frames = make_jpegs(1)
    with MjpegTestServer(frames, credentials=("cam", "s3cret")) as upstream:
        good = source_for(f"mjpeg+http://cam:s3cret@127.0.0.1:{upstream.port}/stream")
        with good:
            assert good.read().jpeg == frames[0]
        bad = source_for(f"mjpeg+http://cam:wrong@127.0.0.1:{upstream.port}/stream")
        with pytest.raises(SourceError) as failure:
            bad.open()
    assert "401" in str(failure.value)
    assert "wrong" not in str(failure.value) and "s3cret" not in str(failure.value)


def test_relay_to_a_closed_port_fails_fast():
    started = time.monotonic()
    with pytest.raises(SourceError, match="refused"):
        source_for(f"mjpeg+http://127.0.0.1:{free_port()}/x").open()
    assert time.monotonic() - started < 2


def test_network_video_decodes_an_http_mjpeg_stream():
    with MjpegTestServer(make_jpegs(3), fps=30) as upstream:
        source = source_for(upstream.url)
        with source:
            frame = source.read()
    assert frame.image is not None and frame.image.shape == (120, 160, 3)


def test_network_video_hides_credentials_in_errors():
    source = source_for(f"rtsp://user:topsecret@127.0.0.1:{free_port()}/x")
    with pytest.raises(SourceError) as failure:
        source.open()
    assert "topsecret" not in str(failure.value)


def test_missing_device_is_a_clear_error():
    with pytest.raises(SourceError, match="no camera at /dev/video9"):
        source_for("device:9").open()


@pytest.mark.hardware
def test_real_camera_delivers_frames():  # pragma: no cover - needs a webcam
    import os

    device = os.environ.get("LIVECAM_TEST_DEVICE")
    if not device:
        pytest.skip("set LIVECAM_TEST_DEVICE=/dev/videoN to test a real webcam")
    source = source_for(f"device:{device}", width=640, height=480, fps=15)
    with source:
        frames = [source.read() for _ in range(10)]
    assert all(f.jpeg is not None or f.image is not None for f in frames)
