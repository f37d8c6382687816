"""Open streams and event feeds hold one socket each: no thread, no database connection."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.support.server import LivecamServer
from tests.support.viewer import PART_END, request_bytes

STREAMS = 40
FEEDS = 5


async def runtime(server: LivecamServer) -> dict[str, Any]:
    """Return the server's tasks, threads, fds and viewers."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(server.url("/_test/runtime?gc=1"))
    figures: dict[str, Any] = response.json()
    return figures


async def open_and_hold(server: LivecamServer, path: str, until: bytes) -> asyncio.StreamWriter:
    """Open a connection, send the request and read until `until` has arrived."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port, limit=1 << 21)
    writer.write(request_bytes(server, path))
    await asyncio.wait_for(reader.readuntil(until), 20)
    return writer


async def scenario(server: LivecamServer) -> tuple[dict[str, Any], dict[str, Any]]:
    """Warm up, take the quiet figures, open streams and feeds, take the figures again."""
    warm = await open_and_hold(server, "/cameras/demo/stream.mjpg", PART_END)
    warm.close()
    for _ in range(200):
        base = await runtime(server)
        if base["viewers"] == 0:
            break
        await asyncio.sleep(0.05)  # the warm-up viewer's finally runs on the server's schedule
    writers = await asyncio.gather(
        *(open_and_hold(server, "/cameras/demo/stream.mjpg", PART_END) for _ in range(STREAMS)),
        *(open_and_hold(server, "/api/events", b"\r\n\r\n") for _ in range(FEEDS)),
    )
    try:
        held = await runtime(server)
    finally:
        for writer in writers:
            writer.close()
    return base, held


@pytest.mark.timeout(60)
def test_open_streams_hold_no_thread_and_no_database_connection(fresh_server: LivecamServer):
    # Django gives each request a thread of its own (and with it a database connection) for
    # as long as the response lasts: 300 viewers were 300 idle threads and 300 connections.
    fresh_server.start("--demo")
    fresh_server.wait_for("demo", lambda s: s["online"])
    base, held = asyncio.run(scenario(fresh_server))
    assert held["viewers"] == STREAMS, held
    assert held["threads"] <= base["threads"] + 2, (base, held)
    # One socket per connection (the probe's own request may hold one more).
    assert held["fds"] <= base["fds"] + STREAMS + FEEDS + 2, (base, held)
