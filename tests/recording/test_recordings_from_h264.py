"""Motion and manual recordings are written from the camera's one H.264 stream, not re-encoded.

With continuous recording on, the same pictures are in the segments: a recording's H.264
samples must be the very bytes of the segments' samples (a second encode would give other
bytes), and the encoder count must grow by one encode per captured frame, not two.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import av
import httpx
import pytest

from tests.support.metrics import read_metrics
from tests.support.server import LivecamServer
from tests.support.sse import EventLog, motion, recording

FPS = 10


@pytest.fixture
def events(rec_server: LivecamServer) -> Iterator[EventLog]:
    """The server's Server-Sent Events from now on."""
    log = EventLog(rec_server.base_url, rec_server.auth_headers())
    yield log
    log.close()


def _samples(data: bytes) -> list[bytes]:
    """Return the H.264 samples of an MP4 in order (demuxed, not decoded)."""
    with av.open(io.BytesIO(data)) as container:
        return [bytes(p) for p in container.demux(video=0) if p.size]


def _decoded(data: bytes) -> tuple[int, float, bool]:
    """Return (pictures, seconds from first to last picture, first is a keyframe)."""
    with av.open(io.BytesIO(data)) as container:
        frames = list(container.decode(video=0))
    assert frames and frames[0].pts is not None and frames[-1].pts is not None
    base = frames[0].time_base
    assert base is not None
    return len(frames), float((frames[-1].pts - frames[0].pts) * base), frames[0].key_frame


def _segment_samples(api: httpx.Client, camera_id: str, until: float) -> set[bytes]:
    """Wait until finished segments reach ``until``; return every sample they hold."""
    deadline = time.monotonic() + 30
    while True:  # polling the timeline, the thing under test elsewhere in this folder
        data = api.get(
            f"/api/cameras/{camera_id}/timeline", params={"start": time.time() - 600}
        ).json()
        done = [s for s in data["segments"] if not s["writing"]]
        if done and done[-1]["end"] >= until:
            break
        assert time.monotonic() < deadline, data
        time.sleep(0.5)
    samples: set[bytes] = set()
    for segment in done:
        samples.update(_samples(api.get(segment["url"]).content))
    return samples


def _counts(api: httpx.Client, camera_id: str) -> tuple[float, float]:
    values = read_metrics(api)
    return (
        values.get(("livecam_video_frames_encoded_total", camera_id), 0.0),
        values.get(("livecam_frames_captured_total", camera_id), 0.0),
    )


def _check_one_encode(
    api: httpx.Client, camera_id: str, row: dict[str, Any], before: tuple[float, float]
) -> None:
    data = api.get(row["url"]).content
    frames, span, keyed = _decoded(data)
    assert keyed and frames == row["frames"]
    assert abs(frames - (span * FPS + 1)) <= 2, (frames, span)  # about duration * fps: no gap
    # Byte for byte the pictures of the segments: the camera's one encode, written twice.
    recorded = _samples(data)
    in_segments = _segment_samples(api, camera_id, row["ended_at"])
    assert len(recorded) == frames
    assert all(sample in in_segments for sample in recorded)
    encoded, captured = _counts(api, camera_id)
    grew, frames_in = encoded - before[0], captured - before[1]
    assert frames_in > frames / 2  # the interval measured holds the recording
    assert grew <= frames_in + 2, (grew, frames_in)  # one encode per frame, not two


def test_a_manual_recording_is_the_cameras_h264_not_a_second_encode(
    rec_server: LivecamServer, camera_id: str, events: EventLog
):
    rec_server.add_camera(
        camera_id, "pattern:", "--width", "320", "--height", "240", "--fps", str(FPS)
    )
    with rec_server.api(timeout=30) as api:
        assert (
            api.patch(f"/api/cameras/{camera_id}/motion", json={"continuous": True}).status_code
            == 200
        )
        rec_server.wait_for(camera_id, lambda s: s.get("continuous") == "recording", timeout=20)
        before = _counts(api, camera_id)
        assert api.post(f"/api/cameras/{camera_id}/recordings/start").status_code == 200
        events.wait_for(recording(camera_id, "started"))
        time.sleep(3)  # the scenario: record three seconds (not a synchronisation)
        api.post(f"/api/cameras/{camera_id}/recordings/stop")
        done = events.wait_for(recording(camera_id, "ended"))
        assert done["state"] == "done" and done["trigger"] == "manual"
        assert 2.5 <= done["duration"] <= 5.0, done  # may start at the GOP running at Record
        _check_one_encode(api, camera_id, done, before)


def test_a_motion_recording_is_the_cameras_h264_with_its_pre_roll(
    rec_server: LivecamServer, camera_id: str, events: EventLog
):
    rec_server.add_camera(
        camera_id,
        "scene:motion?at=3&for=2",
        "--width",
        "320",
        "--height",
        "240",
        "--fps",
        str(FPS),
        "--off",
    )
    fields = {
        "continuous": True,
        "motion": True,
        "record_on_motion": True,
        "pre_seconds": 1.5,
        "post_seconds": 2,
    }
    with rec_server.api(timeout=30) as api:
        assert api.patch(f"/api/cameras/{camera_id}/motion", json=fields).status_code == 200
        before = _counts(api, camera_id)
        api.post(f"/api/cameras/{camera_id}/on")
        moved = events.wait_for(motion(camera_id, "end"), timeout=30)
        done = events.wait_for(recording(camera_id, "ended"), timeout=30)
        assert done["trigger"] == "motion" and done["state"] == "done"
        # Pre-roll: from the keyframe at or before 1.5 s ahead of the motion.
        assert done["started_at"] <= moved["started_at"] - 1.5 + 0.001, (done, moved)
        assert done["ended_at"] >= moved["ended_at"] + 1.5, (done, moved)
        _check_one_encode(api, camera_id, done, before)
