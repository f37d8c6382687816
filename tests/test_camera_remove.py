"""``livecam camera remove``: names the camera, and its streams end at once everywhere."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.browser import wait_until
from tests.support.cluster import Cluster
from tests.support.metrics import read_metrics
from tests.support.mjpeg import StreamReader
from tests.support.server import LivecamServer

pytestmark = pytest.mark.timeout(150)


def _read_for(reader: StreamReader, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reader.next_part()


def test_remove_names_the_camera_and_ends_its_streams_at_once(tmp_path: Path):
    # Scaled out, the web server hears of a removal only through the CLI's change notice:
    # capture re-reads the table and streams re-check access only once a minute here.
    cluster = Cluster(tmp_path, settings={"RECONCILE_INTERVAL": 60.0, "ACCESS_RECHECK": 60.0})
    try:
        cluster.start_redis()
        web = cluster.web()
        cluster.capture()
        web.add_camera("gone", "pattern:", "--width", "160", "--height", "120", "--fps", "10")
        with (
            httpx.Client(base_url=web.base_url, headers=web.auth_headers(), timeout=30) as client,
            client.stream("GET", "/cameras/gone/stream.mjpg") as response,
        ):
            assert response.status_code == 200
            reader = StreamReader(response.iter_raw())
            reader.next_part()
            removed = web.cli("camera", "remove", "gone")
            assert removed.stdout.strip() == "Removed camera 'gone'."
            started = time.monotonic()
            with pytest.raises((StopIteration, httpx.RemoteProtocolError, httpx.ReadError)):
                _read_for(reader, 15)
            assert time.monotonic() - started < 5, "the stream outlived its camera"
            assert client.get("/api/cameras/gone").status_code == 404
    finally:
        cluster.stop()


def test_metrics_forget_a_removed_camera(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120", "--fps", "10")
    server.wait_for(camera_id, lambda s: s["online"])
    with server.api() as client:
        assert ("livecam_frames_captured_total", camera_id) in read_metrics(client)
        server.cli("camera", "remove", camera_id)

        def listed() -> set[str]:
            return {name for name, camera in read_metrics(client) if camera == camera_id}

        wait_until(lambda: not listed(), timeout=10, what="the camera's series to go")
