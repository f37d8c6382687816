"""Small snapshots (``snapshot.jpg?width=``), as dashboards poll them: one encode per frame."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from livecam.sources.jpeg import jpeg_size
from tests.support.metrics import read_metrics
from tests.support.server import LivecamServer


def test_small_snapshots_are_encoded_once_per_frame_for_all_pollers(
    server: LivecamServer, camera_id: str
):
    server.add_camera(camera_id, "pattern:", "--width", "640", "--height", "480", "--fps", "2")
    server.wait_for(camera_id, lambda s: s["online"])

    def fetch(_: int):
        with server.api() as client:
            return client.get(f"/cameras/{camera_id}/snapshot.jpg?width=320")

    with server.api() as client:
        before = read_metrics(client)
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(fetch, range(24)))
        after = read_metrics(client)
    try:
        assert all(r.status_code == 200 for r in responses)
        assert {jpeg_size(r.content) for r in responses} == {(320, 240)}
        frames = {r.headers["x-timestamp"] for r in responses}
        # Pollers of the same frame get the very same bytes: it was encoded once for all.
        assert len({r.content for r in responses}) == len(frames)
        key = ("livecam_variant_frames_encoded_total", camera_id)
        encodes = after.get(key, 0) - before.get(key, 0)
        assert 1 <= encodes <= len(frames) < len(responses)
    finally:
        server.cli("camera", "remove", camera_id)
