"""Thousands of viewers come and go: tasks, threads, file descriptors and memory stay flat."""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from typing import Any

import httpx
import pytest

from tests.support.server import LivecamServer
from tests.support.viewer import PART_END, request_bytes

CYCLES = 2000
SAMPLE_EVERY = 250
CONCURRENCY = 8


async def one_viewer(server: LivecamServer, request: bytes, reset: bool) -> None:
    """Open a stream, read its first part, leave (FIN or RST, like a closed tab or a dead link)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port, limit=1 << 21)
    try:
        writer.write(request)
        await reader.readuntil(PART_END)
    finally:
        if reset:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.close()


async def churn(server: LivecamServer, cycles: int, start: int) -> None:
    """Run `cycles` connect/read/leave cycles, CONCURRENCY at a time."""
    request = request_bytes(server, "/cameras/demo/stream.mjpg")
    queue = iter(range(start, start + cycles))

    async def worker() -> None:
        for index in queue:
            await asyncio.wait_for(one_viewer(server, request, index % 2 == 1), 20)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def quiet_point(server: LivecamServer) -> dict[str, Any]:
    """Wait until no viewer is left, then return the server's runtime figures."""
    deadline = time.monotonic() + 10
    while True:
        figures: dict[str, Any] = httpx.get(server.url("/_test/runtime?gc=1"), timeout=10).json()
        if figures["viewers"] == 0 or time.monotonic() > deadline:
            return figures
        time.sleep(0.05)  # the last generators' finally blocks run on the server's schedule


def slope(xs: list[float], ys: list[float]) -> float:
    """Return the least-squares slope of ys over xs."""
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    num = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return num / sum((x - mean_x) ** 2 for x in xs)


@pytest.mark.timeout(300)
def test_connect_disconnect_churn_leaks_nothing(fresh_server: LivecamServer):
    fresh_server.start("--demo")
    fresh_server.wait_for("demo", lambda s: s["online"])
    samples: list[tuple[int, dict[str, Any]]] = []
    for start in range(0, CYCLES, SAMPLE_EVERY):
        asyncio.run(churn(fresh_server, SAMPLE_EVERY, start))
        samples.append((start + SAMPLE_EVERY, quiet_point(fresh_server)))
    base = samples[1][1]  # after warm-up: caches, thread pools and lazy imports are in place
    for done, figures in samples[1:]:
        assert figures["viewers"] == 0 and figures["pending"] == 0, (done, figures)
        assert figures["tasks"] == base["tasks"], (done, figures, base)
        assert figures["threads"] <= base["threads"], (done, figures, base)
        assert figures["fds"] <= base["fds"] + 2, (done, figures, base)
    xs = [float(done) for done, _ in samples[1:]]
    rss = [float(figures["rss_kib"]) for _, figures in samples[1:]]
    per_1000 = slope(xs, rss) * 1000
    # A leaked frame, task or buffer per viewer is >= 15 KiB each: 15 MiB per 1000. Allocator
    # noise on a loaded machine stays well under 2 MiB.
    assert per_1000 < 2048, f"RSS grows by {per_1000:.0f} KiB per 1000 viewers: {rss}"
