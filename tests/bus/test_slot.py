"""The latest-frame slot and hub: wake-ups, skipping, placeholders, listeners."""

from __future__ import annotations

import asyncio

import pytest

from livecam.bus.hub import Hub, StatusListener
from livecam.frames import CameraStatus, Frame
from livecam.serving.streaming import viewer_parts

JPEG = b"\xff\xd8" + b"x" * 100 + b"\xff\xd9"


def make_frame(seq: int, camera_id: str = "cam") -> Frame:
    return Frame.create(camera_id, seq, JPEG + bytes([seq % 256]), 64, 48)


@pytest.fixture
async def hub() -> Hub:
    instance = Hub(keepalive=0.2)
    instance.bind(asyncio.get_running_loop())
    return instance


async def test_viewers_skip_to_the_newest_frame(hub: Hub):
    hub.deliver_status(CameraStatus("cam", state="online", enabled=True))
    first = make_frame(1)
    hub.deliver_frame(first)
    stream = viewer_parts(hub, "cam", keepalive=5)
    assert await anext(stream) == b"--frame\r\n"
    assert await anext(stream) is first.part
    for seq in range(2, 6):  # a slow viewer: four frames arrive while it is busy
        hub.deliver_frame(make_frame(seq))
    newest = hub.slots["cam"].frame
    assert newest is not None
    assert newest.seq == 5
    assert await anext(stream) is newest.part
    assert hub.slots["cam"].viewers == 1
    await stream.aclose()
    assert hub.slots["cam"].viewers == 0


async def test_a_new_frame_wakes_a_waiting_viewer(hub: Hub):
    hub.deliver_status(CameraStatus("cam", state="online", enabled=True))
    hub.deliver_frame(make_frame(1))
    stream = viewer_parts(hub, "cam", keepalive=5)
    await anext(stream)
    await anext(stream)
    pending = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    assert not pending.done()
    frame = make_frame(2)
    hub.deliver_frame(frame)
    assert await asyncio.wait_for(pending, 1) is frame.part
    await stream.aclose()


async def test_off_camera_gets_a_placeholder_then_keepalives(hub: Hub):
    hub.deliver_status(CameraStatus("cam", state="off"))
    stream = viewer_parts(hub, "cam", keepalive=0.2)
    await anext(stream)
    first = await anext(stream)
    loop = asyncio.get_running_loop()
    started = loop.time()
    second = await asyncio.wait_for(anext(stream), 2)
    assert first is second, "the placeholder part is built once and re-sent"
    assert loop.time() - started >= 0.15
    await stream.aclose()


async def test_a_cancelled_viewer_does_not_cancel_the_others(hub: Hub):
    hub.deliver_status(CameraStatus("cam", state="online", enabled=True))
    hub.deliver_frame(make_frame(1))
    streams = [viewer_parts(hub, "cam", keepalive=5) for _ in range(2)]
    for stream in streams:
        await anext(stream)
        await anext(stream)
    waits = [asyncio.ensure_future(anext(stream)) for stream in streams]
    await asyncio.sleep(0)
    waits[0].cancel()
    frame = make_frame(2)
    hub.deliver_frame(frame)
    assert await asyncio.wait_for(waits[1], 1) is frame.part
    for stream in streams:
        await stream.aclose()


async def test_close_ends_every_stream(hub: Hub):
    hub.deliver_status(CameraStatus("cam", state="online", enabled=True))
    stream = viewer_parts(hub, "cam", keepalive=5)
    await anext(stream)
    await anext(stream)
    hub.close()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 1)
    assert hub.slots["cam"].viewers == 0


async def test_listeners_coalesce_changes_per_camera(hub: Hub):
    listener = StatusListener()
    hub.listeners.add(listener)
    for state in ("starting", "online", "error"):
        hub.deliver_status(CameraStatus("cam", state=state))
    hub.deliver_status(CameraStatus("other", state="off"))
    changes = await listener.get(timeout=1)
    assert {(s.camera_id, s.state) for s in changes} == {("cam", "error"), ("other", "off")}
    assert await listener.get(timeout=0.05) == []


async def test_watch_hook_fires_on_first_and_last_viewer(hub: Hub):
    calls: list[tuple[str, int]] = []
    hub.on_watch = lambda camera_id, viewers: calls.append((camera_id, viewers))
    hub.add_viewer("cam")
    hub.add_viewer("cam")
    hub.remove_viewer("cam")
    hub.remove_viewer("cam")
    assert calls == [("cam", 1), ("cam", 0)]
