"""The bus contract, run against every backend: what the web and capture sides may rely on."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from livecam.bus.base import ControlMessage
from livecam.bus.hub import StatusListener
from livecam.frames import STREAM_PREAMBLE, CameraStatus, build_part
from livecam.serving.streaming import viewer_parts
from tests.bus.support import BusPair, eventually, make_frame, memory_pair, redis_pair


@pytest.fixture(params=["memory", "redis"])
async def pair(request: pytest.FixtureRequest) -> AsyncIterator[BusPair]:
    if request.param == "memory":
        buses = memory_pair()
    else:
        buses = redis_pair(request.getfixturevalue("redis_server").url)
    for bus in {id(b): b for b in (buses.web, buses.capture)}.values():
        await bus.start()
    await buses.ready()
    yield buses
    for bus in {id(b): b for b in (buses.web, buses.capture)}.values():
        await bus.stop()


def publish_from_thread(pair: BusPair, stop: threading.Event, camera_id: str = "cam") -> None:
    """Publish a frame every 20 ms from a capture-like thread until stopped."""
    seq = 0
    while not stop.is_set():
        seq += 1
        pair.capture.publish_frame(make_frame(seq, camera_id))
        stop.wait(0.02)


async def test_frames_reach_every_viewer_intact_and_shared(pair: BusPair):
    pair.capture.publish_status(CameraStatus("cam", state="online", enabled=True))
    hub = pair.web.hub
    viewers = [viewer_parts(hub, "cam", keepalive=5) for _ in range(2)]
    for stream in viewers:
        assert await anext(stream) == STREAM_PREAMBLE
    stop = threading.Event()
    thread = threading.Thread(target=publish_from_thread, args=(pair, stop))
    thread.start()
    live: list[list[bytes]] = [[], []]
    try:
        async with asyncio.timeout(10):
            while min(len(parts) for parts in live) < 3:
                for index, stream in enumerate(viewers):
                    part = await anext(stream)
                    frame = hub.slots["cam"].frame
                    if frame is not None and hub.slots["cam"].live:
                        # The very object capture's frame carries: built once, sent to all.
                        assert part is frame.part
                        assert part == build_part(frame.jpeg, frame.captured_at)
                        assert frame.jpeg == make_frame(frame.seq).jpeg
                        assert (frame.width, frame.height) == (64, 48)
                        live[index].append(part)
    finally:
        stop.set()
        thread.join()
    for stream in viewers:
        await stream.aclose()


async def test_a_new_viewer_gets_the_newest_frame_at_once(pair: BusPair):
    pair.capture.publish_status(CameraStatus("cam", state="online", enabled=True))
    await eventually(lambda: pair.web.hub.status("cam") is not None)
    newest = make_frame(7)
    pair.capture.publish_frame(newest)
    await pair.flushed(1)
    stream = viewer_parts(pair.web.hub, "cam", keepalive=5)
    async with asyncio.timeout(5):
        assert await anext(stream) == STREAM_PREAMBLE
        part = await anext(stream)
        while part != newest.part:  # at most a placeholder first, then the frame unasked
            part = await anext(stream)
    await stream.aclose()


async def test_statuses_reach_the_hub_and_every_listener(pair: BusPair):
    listener = StatusListener()
    pair.web.hub.listeners.add(listener)
    status = CameraStatus("cam", state="error", enabled=True, error="cable pulled", width=64)
    pair.capture.publish_status(status)
    async with asyncio.timeout(5):
        changes = await listener.get(5)
        while status not in changes:
            changes = await listener.get(5)
    assert pair.web.hub.status("cam") == status


async def test_control_messages_reach_the_capture_handlers(pair: BusPair):
    received: list[ControlMessage] = []
    arrived = asyncio.Event()
    loop = asyncio.get_running_loop()

    def handler(message: ControlMessage) -> None:
        received.append(message)
        loop.call_soon_threadsafe(arrived.set)

    pair.capture.on_control(handler)
    await pair.web.send_control(ControlMessage("changed", "cam"))
    await asyncio.wait_for(arrived.wait(), 5)
    assert received == [ControlMessage("changed", "cam")]


async def test_viewer_counts_and_demand_follow_viewers(pair: BusPair):
    demand: list[tuple[str, int]] = []
    pair.capture.on_demand(lambda camera_id, viewers: demand.append((camera_id, viewers)))
    streams = [viewer_parts(pair.web.hub, "cam", keepalive=5) for _ in range(2)]
    for stream in streams:
        await anext(stream)
    assert pair.web.viewer_counts().get("cam") == 2
    await eventually(lambda: ("cam", 0) not in demand and any(n > 0 for _, n in demand))
    for stream in streams:
        await stream.aclose()
    assert pair.web.viewer_counts().get("cam", 0) == 0
    await eventually(lambda: demand[-1] == ("cam", 0))


async def test_stop_ends_every_stream(pair: BusPair):
    stream = viewer_parts(pair.web.hub, "cam", keepalive=5)
    await anext(stream)
    ended = asyncio.ensure_future(_drain(stream))
    await pair.web.stop()
    await asyncio.wait_for(ended, 5)
    await pair.web.start()  # the fixture stops it again


async def _drain(stream: AsyncIterator[bytes]) -> None:
    async for _part in stream:
        pass
