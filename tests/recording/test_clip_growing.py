"""clip.mp4 reaches into the segment being written, up to its last whole fragment."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from tests.support.server import LivecamServer

FPS = 10
EPOCH = 1704067200  # a segment's media time 0 (docs/timeline.md)


@pytest.fixture
def long_segments(tmp_path: Path) -> Iterator[LivecamServer]:
    """A server whose segments last a minute: the first one stays open through the test."""
    server = LivecamServer(tmp_path, settings={"SEGMENT_SECONDS": 60, "MEDIA_MIN_FREE_GB": 0})
    server.start()
    yield server
    server.stop()


def test_a_clip_of_the_last_seconds_comes_from_the_segment_being_written(
    long_segments: LivecamServer,
):
    server = long_segments
    server.add_camera("cam", "pattern:", "--width", "160", "--height", "120", "--fps", str(FPS))
    with server.api(timeout=30) as api:
        assert api.patch("/api/cameras/cam/motion", json={"continuous": True}).status_code == 200
        deadline = time.monotonic() + 20
        while True:  # the segment's row exists once its first fragment is on disk
            segments = api.get("/api/cameras/cam/timeline").json()["segments"]
            if segments:
                break
            assert time.monotonic() < deadline
            time.sleep(0.2)
        (writing,) = segments
        assert writing["writing"] and not writing.get("url")
        time.sleep(3)  # the scenario: three more seconds get written (not a synchronisation)
        asked_end = time.time()
        response = api.get(
            "/cameras/cam/clip.mp4", params={"start": writing["start"], "end": asked_end}
        )
        assert response.status_code == 200, response.text
        clip = _samples(response.content)
        # The segment is still being written: the clip did not finish or disturb it.
        (still,) = api.get("/api/cameras/cam/timeline").json()["segments"]
        assert still["id"] == writing["id"] and still["writing"]
        api.patch("/api/cameras/cam/motion", json={"continuous": False})
        deadline = time.monotonic() + 20
        while True:  # switched off: the segment is finished
            (done,) = api.get("/api/cameras/cam/timeline").json()["segments"]
            if not done["writing"]:
                break
            assert time.monotonic() < deadline, done
            time.sleep(0.2)
        segment = _samples(api.get(done["url"]).content)
    # The clip is the segment's pictures from its start, up to those on disk when it was
    # asked for (capture times from the media time; a picture in flight may be missing).
    assert clip and [data for _, data in clip] == [data for _, data in segment[: len(clip)]]
    before = sum(at <= asked_end - 0.5 for at, _ in segment)
    assert before <= len(clip), (len(clip), before)
    assert segment[len(clip) - 1][0] <= asked_end + 0.1  # nothing from after the request


def _samples(data: bytes) -> list[tuple[float, bytes]]:
    """Return (capture time if a segment, else media time + EPOCH; the H.264 sample)."""
    with av.open(io.BytesIO(data)) as container:
        out = []
        for packet in container.demux(video=0):
            if packet.size and packet.pts is not None and packet.time_base is not None:
                out.append((float(packet.pts * packet.time_base) + EPOCH, bytes(packet)))
        return out
