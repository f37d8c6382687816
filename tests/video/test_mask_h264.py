"""Privacy masks in H.264: stream.mp4 (own and share link) decoded by PyAV shows them black."""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image

from tests.support.mp4 import Mp4Stream, decode
from tests.support.server import LivecamServer
from tests.video.test_mp4_faults import metric
from tests.video.test_passthrough import write_h264
from tests.video.test_stream_mp4 import add_pattern, live

MASK = {"x": 0, "y": 0, "w": 50, "h": 50}
"""The top-left quarter of the frame."""


def masked(frame: np.ndarray) -> bool:
    """True when the top-left quarter (inside its edges, where compression blurs) is black."""
    height, width = frame.shape[:2]
    inner = frame[3 : height // 2 - 4, 3 : width // 2 - 4]
    return float(inner.mean()) < 6 and int(inner.max()) < 48


def put_mask(server: LivecamServer, camera_id: str) -> bool:
    """Save the mask; return the API's `reencodes`."""
    with server.api() as client:
        saved = client.put(f"/api/cameras/{camera_id}/masks", json={"masks": [MASK]})
    assert saved.status_code == 200, saved.text
    return bool(saved.json()["reencodes"])


def wait_for_masked_snapshot(server: LivecamServer, camera_id: str) -> None:
    """Wait until capture applies the saved mask (the API answers before capture hears of it)."""
    deadline = time.monotonic() + 15
    with server.api() as client:
        while True:
            answer = client.get(f"/cameras/{camera_id}/snapshot.jpg")
            if answer.status_code == 200:
                picture = np.asarray(Image.open(io.BytesIO(answer.content)).convert("L"))
                if masked(picture):
                    return
            assert time.monotonic() < deadline, "capture never applied the mask"
            time.sleep(0.05)  # polling the newest frame: there is no event for "mask applied"


def read_mp4(server: LivecamServer, path: str, pictures: int = 20) -> list[np.ndarray]:
    """Read `pictures` live pictures of a stream.mp4 and return them decoded (grey)."""
    with Mp4Stream(server, path) as stream:
        assert stream.response.status_code == 200
        live(stream, pictures)
        data = bytes(stream.data)
    frames, errors = decode(data)
    assert frames and not errors
    return [frame.to_ndarray(format="gray") for frame in frames]


def test_the_mask_is_black_in_stream_mp4_and_its_share_link(server: LivecamServer, camera_id: str):
    add_pattern(server, camera_id)
    before = read_mp4(server, f"/cameras/{camera_id}/stream.mp4", 5)
    assert not any(masked(frame) for frame in before)  # the check can fail
    assert put_mask(server, camera_id) is False  # the pattern is encoded anyway
    server.wait_for(camera_id, lambda s: s["online"])
    # Nobody watched H.264 since the mask was saved: every picture sent now is encoded after it.
    frames = read_mp4(server, f"/cameras/{camera_id}/stream.mp4")
    assert all(masked(frame) for frame in frames)
    stream_path = server.cli("share", "create", camera_id).stdout.splitlines()[0].split()[-1]
    shared = read_mp4(server, stream_path.replace("stream.mjpg", "stream.mp4"))
    assert all(masked(frame) for frame in shared)


def test_a_masked_h264_source_is_re_encoded_not_passed_through(
    server: LivecamServer, camera_id: str
):
    path = server.data_dir / "media" / f"{camera_id}.mp4"
    write_h264(path, bframes=0, frames=90)
    server.add_camera(camera_id, f"file:{path}")
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    assert put_mask(server, camera_id) is True  # the page says it is decoded and re-encoded
    wait_for_masked_snapshot(server, camera_id)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        stream.fragments(20)
        data = bytes(stream.data)
        state = server.wait_for(camera_id, lambda s: s["video"] == "encoded", timeout=10)
    assert metric(server, "livecam_video_frames_encoded_total", camera=camera_id) >= 20
    assert state["video"] == "encoded" and "privacy masks" in state["video_reason"]
    frames, errors = decode(data)
    assert frames and not errors
    assert all(masked(frame.to_ndarray(format="gray")) for frame in frames)
