"""A viewer that stops reading: others keep every frame, memory stays flat, it is evicted."""

from __future__ import annotations

import asyncio
import time

import psutil
import pytest

from tests.support.metrics import read_metrics
from tests.support.server import LivecamServer
from tests.support.viewer import connection_closed, stalled_viewer, watch

SEND_TIMEOUT = 3.0  # tests/server_settings.py


def rss_kib(server: LivecamServer) -> int:
    """Return the server process's resident memory."""
    assert server.process is not None
    return int(psutil.Process(server.process.pid).memory_info().rss // 1024)


def server_side_open(server: LivecamServer, client_port: int) -> bool:
    """Return True while the server still holds a socket to this client port."""
    assert server.process is not None
    return any(
        conn.raddr and conn.raddr.port == client_port
        for conn in psutil.Process(server.process.pid).net_connections(kind="tcp")
    )


@pytest.mark.timeout(120)
def test_a_stalled_viewer_costs_others_nothing_and_is_evicted(fresh_server: LivecamServer):
    fresh_server.start()
    fresh_server.add_camera("cam", "pattern:", "--width", "640", "--height", "480", "--fps", "15")
    fresh_server.wait_for("cam", lambda s: s["online"])
    path = "/cameras/cam/stream.mjpg"
    with fresh_server.api() as api:
        rss_before = rss_kib(fresh_server)
        evicted_before = read_metrics(api).get(("livecam_viewers_evicted_total", ""), 0)
        staller = stalled_viewer(fresh_server, path)
        client_port = staller.getsockname()[1]

        def captured() -> float:
            return read_metrics(api)[("livecam_frames_captured_total", "cam")]

        counts, frames = asyncio.run(watch(fresh_server, path, 20, SEND_TIMEOUT + 3, captured))
        rss_after = rss_kib(fresh_server)
    # Each of the 20 got at least 95 % of the frames captured meanwhile (2 for window edges).
    assert min(counts) >= 0.95 * frames - 2, (counts, frames)
    # The stalled viewer is evicted once the kernel buffers are full and SEND_TIMEOUT has
    # passed: the server drops its socket (aborted, not left waiting to flush) and counts it.
    deadline = time.monotonic() + 30
    while server_side_open(fresh_server, client_port) and time.monotonic() < deadline:
        time.sleep(0.2)  # the kernel's socket table has no event to await
    assert not server_side_open(fresh_server, client_port)
    assert connection_closed(staller, timeout=5)
    staller.close()
    with fresh_server.api() as api:
        evicted = read_metrics(api)[("livecam_viewers_evicted_total", "")] - evicted_before
    assert evicted >= 1
    assert rss_after - rss_before < 16 * 1024, f"RSS grew by {rss_after - rss_before} KiB"
