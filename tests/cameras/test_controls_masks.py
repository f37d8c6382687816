"""Controls and privacy masks end to end: API -> capture -> the pictures every output sends."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator

import av
import httpx
import numpy as np
import pytest
import simplejpeg

from tests.support.mjpeg import StreamReader
from tests.support.server import LivecamServer
from tests.support.sse import EventLog, motion, recording

MASK = {"x": 0, "y": 0, "w": 50, "h": 50}
"""The top-left quarter of the frame."""


def _grey(jpeg: bytes) -> np.ndarray:
    return simplejpeg.decode_jpeg(jpeg, colorspace="GRAY")[:, :, 0]


def _masked(image: np.ndarray) -> bool:
    """True when the top-left quarter (inside its edges, where JPEG blurs) is black."""
    height, width = image.shape[:2]
    inner = image[2 : height // 2 - 3, 2 : width // 2 - 3]
    return float(inner.mean()) < 4 and int(inner.max()) < 40


def _parts(client: httpx.Client, path: str) -> Iterator[bytes]:
    with client.stream("GET", path, timeout=httpx.Timeout(10, read=10)) as response:
        assert response.status_code == 200
        reader = StreamReader(response.iter_raw())
        while True:
            yield reader.next_part().body


def _first(parts: Iterator[bytes], check: Callable[[np.ndarray], bool], timeout: float = 10):
    deadline = time.monotonic() + timeout
    for body in parts:
        image = _grey(body)
        if check(image):
            return image
        assert time.monotonic() < deadline, "the frames never changed as expected"
    raise AssertionError("the stream ended")


@pytest.fixture
def pattern_camera(server: LivecamServer, camera_id: str) -> str:
    with server.api() as client:
        body = {"id": camera_id, "source": "pattern:", "width": 320, "height": 240, "fps": 10}
        assert client.post("/api/cameras", json=body).status_code == 201
    server.wait_for(camera_id, lambda s: s["online"])
    return camera_id


def test_pattern_controls_change_the_streamed_frames(server: LivecamServer, pattern_camera: str):
    cam = pattern_camera
    with server.api() as client:
        listed = client.get(f"/api/cameras/{cam}/controls").json()
        by_name = {c["name"]: c for c in listed}
        assert by_name["brightness"] | {"value": 0} == {
            "name": "brightness",
            "type": "integer",
            "min": -100,
            "max": 100,
            "step": 1,
            "default": 0,
            "value": 0,
            "menu": [],
        }
        assert by_name["contrast"]["default"] == 100
        parts = _parts(client, f"/cameras/{cam}/stream.mjpg")
        before = float(_grey(next(parts)).mean())
        changed = client.patch(f"/api/cameras/{cam}/controls", json={"brightness": -90})
        assert changed.status_code == 200, changed.text
        assert {c["name"]: c["value"] for c in changed.json()}["brightness"] == -90
        darker = _first(parts, lambda image: image.mean() < before - 40)
        assert float(darker.mean()) < before - 40
        too_far = client.patch(f"/api/cameras/{cam}/controls", json={"brightness": 500})
        assert too_far.status_code == 400
        assert too_far.json()["detail"] == "brightness must be from -100 to 100"
        unknown = client.patch(f"/api/cameras/{cam}/controls", json={"zoom": 1})
        assert unknown.status_code == 400 and "zoom" in unknown.json()["detail"]
        not_number = client.patch(f"/api/cameras/{cam}/controls", json={"contrast": "high"})
        assert not_number.status_code == 400
        # Kept: after OFF and ON (the source reopened) the frames are still dark.
        client.post(f"/api/cameras/{cam}/off")
        client.post(f"/api/cameras/{cam}/on")
        server.wait_for(cam, lambda s: s["online"])
        snapshot = client.get(f"/cameras/{cam}/snapshot.jpg")
        assert float(_grey(snapshot.content).mean()) < before - 40


def test_masks_are_black_in_stream_snapshot_tile_and_recording(
    server: LivecamServer, pattern_camera: str
):
    cam = pattern_camera
    with server.api() as client:
        assert not _masked(_grey(client.get(f"/cameras/{cam}/snapshot.jpg").content))
        saved = client.put(f"/api/cameras/{cam}/masks", json={"masks": [MASK]})
        assert saved.status_code == 200, saved.text
        assert saved.json() == {"masks": [MASK], "reencodes": False}
        _first(_parts(client, f"/cameras/{cam}/stream.mjpg"), _masked)
        assert _masked(_grey(client.get(f"/cameras/{cam}/snapshot.jpg").content))
        assert _masked(_grey(client.get(f"/cameras/{cam}/snapshot.jpg?width=160").content))
        _first(_parts(client, f"/cameras/tiles.mjpg?ids={cam}&width=160"), _masked)

        events = EventLog(server.base_url, server.auth_headers())
        try:
            assert client.post(f"/api/cameras/{cam}/recordings/start").status_code == 200
            events.wait_for(recording(cam, "started"))
            time.sleep(1)  # the scenario: a one-second recording (not a synchronisation)
            client.post(f"/api/cameras/{cam}/recordings/stop")
            done = events.wait_for(recording(cam, "ended"))
        finally:
            events.close()
        data = client.get(done["url"]).content
    with av.open(io.BytesIO(data)) as container:
        frames = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert frames and all(_masked(frame) for frame in frames)


def test_bad_masks_are_refused_and_pass_through_sources_say_they_reencode(
    server: LivecamServer, camera_id: str
):
    with server.api() as client:
        body = {"id": camera_id, "source": "mjpeg+http://127.0.0.1:9/video", "enabled": False}
        assert client.post("/api/cameras", json=body).status_code == 201
        outside = client.put(
            f"/api/cameras/{camera_id}/masks", json={"masks": [{"x": 80, "y": 0, "w": 40, "h": 5}]}
        )
        assert outside.status_code == 400 and "outside the frame" in outside.json()["detail"]
        extra = client.put(
            f"/api/cameras/{camera_id}/masks", json={"masks": [{**MASK, "colour": 1}]}
        )
        assert extra.status_code in (400, 422)
        saved = client.put(f"/api/cameras/{camera_id}/masks", json={"masks": [MASK]})
        assert saved.json()["reencodes"] is True
        assert client.get(f"/api/cameras/{camera_id}/masks").json()["masks"] == [MASK]


def _top_masked(image: np.ndarray) -> bool:
    """True when the top quarter's left half (inside its edges) is black."""
    height, width = image.shape[:2]
    inner = image[2 : height // 4 - 3, 2 : width // 2 - 3]
    return float(inner.mean()) < 4 and int(inner.max()) < 40


def test_masks_are_black_in_share_links(server: LivecamServer, pattern_camera: str):
    cam = pattern_camera
    lines = server.cli("share", "create", cam).stdout.splitlines()
    stream_path, snapshot_path = lines[0].split()[-1], lines[1].split()[-1]
    with httpx.Client(base_url=server.base_url, timeout=10) as anonymous:
        assert not _masked(_grey(anonymous.get(snapshot_path).content))  # the check can fail
        with server.api() as client:
            saved = client.put(f"/api/cameras/{cam}/masks", json={"masks": [MASK]})
            assert saved.status_code == 200, saved.text
        _first(_parts(anonymous, stream_path), _masked)
        assert _masked(_grey(anonymous.get(snapshot_path).content))


def test_masks_are_black_in_motion_snapshots(server: LivecamServer, camera_id: str):
    # The object crosses the middle of the frame; the mask covers the top quarter's left half.
    source = "scene:motion?at=2&for=2"
    server.add_camera(
        camera_id, source, "--width", "320", "--height", "240", "--fps", "15", "--off"
    )
    top = {"x": 0, "y": 0, "w": 50, "h": 25}
    with server.api() as client:
        assert (
            client.put(f"/api/cameras/{camera_id}/masks", json={"masks": [top]}).status_code == 200
        )
        assert client.patch(f"/api/cameras/{camera_id}/motion", json={"motion": True}).is_success
        events = EventLog(server.base_url, server.auth_headers())
        try:
            assert client.post(f"/api/cameras/{camera_id}/on").status_code == 200
            events.wait_for(motion(camera_id, "start"), timeout=30)
        finally:
            events.close()
        listed = client.get(f"/api/cameras/{camera_id}/events").json()
        snapshot = client.get(listed[0]["snapshot_url"])
        assert snapshot.status_code == 200
        image = _grey(snapshot.content)
        assert _top_masked(image)
        assert float(image[height_slice(image)].mean()) > 20  # the rest of the picture is there


def height_slice(image: np.ndarray) -> slice:
    """The lower half of the picture (never masked here)."""
    return slice(image.shape[0] // 2, image.shape[0])
