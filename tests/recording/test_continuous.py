"""Continuous recording through a real server: segments, continuity, timeline, clip.mp4."""

from __future__ import annotations

import io
import time
from typing import Any

import av
import httpx

from tests.recording.conftest import SEGMENT_SECONDS
from tests.support.server import LivecamServer

FPS = 15


def _timeline(api: httpx.Client, camera_id: str, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/cameras/{camera_id}/timeline", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _finished(api: httpx.Client, camera_id: str, count: int, timeout: float) -> dict[str, Any]:
    """Poll the timeline until ``count`` finished segments exist (the thing under test)."""
    deadline = time.monotonic() + timeout
    while True:
        data = _timeline(api, camera_id, start=time.time() - 600)
        if sum(not s["writing"] for s in data["segments"]) >= count:
            return data
        assert time.monotonic() < deadline, data
        time.sleep(0.5)


def _packets(data: bytes) -> list[tuple[float, bool]]:
    """Return (media time in seconds, keyframe) of every decoded picture of an MP4."""
    out = []
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            assert frame.pts is not None and frame.time_base is not None
            out.append((float(frame.pts * frame.time_base), frame.key_frame))
    return out


def _start(server: LivecamServer, api: httpx.Client, camera_id: str) -> None:
    server.add_camera(camera_id, "pattern:", "--width", "320", "--height", "240", "--fps", str(FPS))
    response = api.patch(f"/api/cameras/{camera_id}/motion", json={"continuous": True})
    assert response.status_code == 200 and response.json()["continuous"] is True


def test_segments_are_contiguous_across_boundaries(rec_server: LivecamServer, camera_id: str):
    with rec_server.api(timeout=30) as api:
        _start(rec_server, api, camera_id)
        data = _finished(api, camera_id, 4, timeout=40)
        state = api.get(f"/api/cameras/{camera_id}").json()
        assert state["continuous"] == "recording", state
        done = [s for s in data["segments"] if not s["writing"]][:4]
        pictures = []
        for segment in done:
            assert SEGMENT_SECONDS <= segment["end"] - segment["start"] < SEGMENT_SECONDS + 1.5
            body = api.get(segment["url"]).content
            assert len(body) == segment["bytes"]
            decoded = _packets(body)
            assert len(decoded) == segment["frames"], segment  # the index counts every picture
            assert decoded[0][1], "a segment starts with a keyframe"
            pictures.append(decoded)
        for before, after, seg_before, seg_after in zip(
            pictures, pictures[1:], done, done[1:], strict=False
        ):
            assert seg_before["end"] == seg_after["start"]  # no gap, no overlap in the index
            step = after[0][0] - before[-1][0]
            # The next segment's first picture is the one after the previous segment's last:
            # one frame interval later (not 0: a duplicate; not 2: a lost picture).
            assert 0.5 / FPS < step < 1.5 / FPS, (step, seg_before, seg_after)
        # Ranges merge the contiguous segments into one.
        covering = [r for r in data["ranges"] if r["start"] <= done[0]["start"]]
        assert covering and covering[-1]["end"] >= done[-1]["end"]


def test_clip_over_a_boundary_decodes_with_the_asked_duration(
    rec_server: LivecamServer, camera_id: str
):
    with rec_server.api(timeout=30) as api:
        _start(rec_server, api, camera_id)
        data = _finished(api, camera_id, 3, timeout=40)
        first, second = [s for s in data["segments"] if not s["writing"]][:2]
        start, end = first["start"] + 0.5, second["start"] + 1.0
        response = api.get(f"/cameras/{camera_id}/clip.mp4", params={"start": start, "end": end})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "video/mp4"
        assert response.headers["content-disposition"].startswith("attachment;")
        decoded = _packets(response.content)
        assert decoded[0][1], "a clip starts with a keyframe"
        duration = decoded[-1][0] - decoded[0][0] + 1 / FPS
        gop = 1.0  # the default keyframe interval: the clip starts at the keyframe before start
        assert end - start - 0.2 <= duration <= end - start + gop + 0.2, duration
        assert abs(len(decoded) - duration * FPS) <= 3
        # Byte ranges, for a browser's seeking.
        part = api.get(
            f"/cameras/{camera_id}/clip.mp4",
            params={"start": start, "end": end},
            headers={"Range": "bytes=0-99"},
        )
        assert part.status_code == 206 and len(part.content) == 100
        assert part.content == response.content[:100]


def test_timeline_and_clip_refuse_bad_ranges(rec_server: LivecamServer, camera_id: str):
    rec_server.add_camera(camera_id, "pattern:", "--fps", "5")
    with rec_server.api() as api:
        timeline = f"/api/cameras/{camera_id}/timeline"
        clip = f"/cameras/{camera_id}/clip.mp4"
        for params, word in [
            ({"start": "yesterday"}, "start"),
            ({"start": 100, "end": 50}, "end must be after start"),
            ({"start": 0, "end": 40 * 86400}, "31 days"),
        ]:
            response = api.get(timeline, params=params)
            assert response.status_code == 400 and word in response.json()["detail"], params
        for params, word in [
            ({"start": 100}, "required"),
            ({"start": 200, "end": 100}, "end must be after start"),
            ({"start": 0, "end": 7200}, "longer than 3600"),
            ({"start": "2026-01-01T00:00:00Z", "end": "nope"}, "end"),
            (
                {"start": "x", "end": "y"},
                "start: not Unix seconds or an ISO 8601 time; end: not Unix seconds",
            ),
        ]:
            response = api.get(clip, params=params)
            assert response.status_code == 400 and word in response.json()["detail"], params
        empty = api.get(clip, params={"start": "2025-01-01T00:00:00Z", "end": 1735693200})
        assert empty.status_code == 404
        data = _timeline(api, camera_id, start="2025-01-01T00:00:00+00:00", end=1735693200)
        assert data["start"] == 1735689600.0 and data["end"] == 1735693200.0
        assert data["ranges"] == [] and data["segments"] == []
        assert data["gaps"] == [{"start": 1735689600.0, "end": 1735693200.0}]


def test_schedule_is_validated_with_the_field_named(rec_server: LivecamServer, camera_id: str):
    rec_server.add_camera(camera_id, "pattern:", "--fps", "5")
    with rec_server.api() as api:
        url = f"/api/cameras/{camera_id}/motion"
        bad = api.patch(url, json={"schedule": "weekdays 25:00-08:00"})
        assert bad.status_code == 400 and "schedule" in bad.json()["detail"]
        good = api.patch(url, json={"schedule": "mon-fri 18:00-08:00; sat,sun 00:00-24:00"})
        assert good.status_code == 200
        assert good.json()["schedule"] == "mon-fri 18:00-08:00; sat,sun 00:00-24:00"
        assert api.patch(url, json={"max_gb": -1}).status_code in (400, 422)
    shown = rec_server.cli("camera", "recording", camera_id, "--max-gb", "2.5").stdout
    assert "max_gb: 2.5" in shown and "mon-fri 18:00-08:00" in shown
    refused = rec_server.cli("camera", "recording", camera_id, "--schedule", "xyz", check=False)
    assert refused.returncode != 0 and "schedule" in refused.stderr
