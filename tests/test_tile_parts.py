"""In-process: the tile stream generator (several cameras, one connection, parts shared)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from livecam.bus.hub import Hub
from livecam.frames import STREAM_PREAMBLE, CameraStatus, Frame
from livecam.serving import tile_parts as shared
from livecam.serving.tile_parts import tile_part
from livecam.serving.tiles import TileStream


def tile_parts(hub: Hub, camera_ids: list[str], **options: Any) -> AsyncGenerator[bytes, None]:
    return TileStream(hub, camera_ids, **options).parts()


JPEG = b"\xff\xd8" + b"x" * 100 + b"\xff\xd9"


def make_frame(camera_id: str, seq: int) -> Frame:
    return Frame.create(camera_id, seq, JPEG + bytes([seq % 256]), 64, 48)


def camera_of(part: bytes) -> str:
    assert part.startswith(b"X-Camera: ")
    return part[10 : part.index(b"\r\n")].decode()


@pytest.fixture
async def hub() -> Hub:
    instance = Hub(keepalive=0.2)
    instance.bind(asyncio.get_running_loop())
    for camera_id in ("a", "b"):
        instance.deliver_status(CameraStatus(camera_id, state="online", enabled=True))
    return instance


async def next_part(stream: AsyncGenerator[bytes, None]) -> bytes:
    return await asyncio.wait_for(anext(stream), 2)


async def test_parts_of_every_camera_carry_x_camera(hub: Hub):
    for cid in ("a", "b"):
        hub.deliver_frame(make_frame(cid, 1))
    stream = tile_parts(hub, ["a", "b"], max_fps=10, keepalive=5, width=160)
    assert await next_part(stream) == STREAM_PREAMBLE
    # Both cameras are live but their 160-pixel variants have no frame yet: the stream waits
    # for them instead of sending "STARTING" placeholders over the pictures the page shows.
    pending = asyncio.ensure_future(next_part(stream))
    await asyncio.sleep(0.05)
    assert not pending.done()
    second = {cid: make_frame(cid, 2) for cid in ("a", "b")}
    for frame in second.values():
        hub.deliver_frame(frame)
    parts = {camera_of(part): part for part in [await pending, await next_part(stream)]}
    # A variant at least as wide as the camera shares the camera's own frame.
    assert parts == {cid: tile_part(cid, frame.part) for cid, frame in second.items()}
    newer = make_frame("b", 3)
    hub.deliver_frame(newer)
    assert await next_part(stream) == tile_part("b", newer.part)
    await stream.aclose()


async def test_a_variant_that_never_comes_shows_the_placeholder_after_keepalive(hub: Hub):
    hub.deliver_frame(make_frame("a", 1))
    stream = tile_parts(hub, ["a"], max_fps=10, keepalive=0.2, width=160)
    await next_part(stream)
    loop = asyncio.get_running_loop()
    started = loop.time()
    part = await next_part(stream)
    assert camera_of(part) == "a" and b"Content-Length: 105\r\n" not in part
    assert loop.time() - started >= 0.15
    await stream.aclose()


async def test_each_camera_is_a_viewer_until_the_stream_closes(hub: Hub):
    watched: list[tuple[str, int]] = []
    hub.on_watch = lambda camera_id, viewers: watched.append((camera_id, viewers))
    started: list[str] = []
    stream = tile_parts(
        hub, ["a", "b"], max_fps=10, keepalive=5, width=320, on_start=started.append
    )
    await next_part(stream)
    assert started == ["a", "b"]
    assert (hub.slots["a"].viewers, hub.slots["b"].viewers) == (1, 1)
    assert hub.variants is not None
    assert hub.variants.slot("a", 320, hub.slots["a"].status).viewers == 1
    await stream.aclose()
    assert (hub.slots["a"].viewers, hub.slots["b"].viewers) == (0, 0)
    assert watched == [("a", 1), ("b", 1), ("a", 0), ("b", 0)]
    assert not hub.variants._slots, "the variants are released"
    assert not shared.PARTS._parts and not shared.PARTS._users, "no part is kept for nobody"


async def test_a_cancelled_stream_cleans_up(hub: Hub):
    hub.deliver_frame(make_frame("a", 1))
    stream = tile_parts(hub, ["a"], max_fps=10, keepalive=5)
    await next_part(stream)
    await next_part(stream)
    waiting = asyncio.ensure_future(anext(stream))  # waits for a change: the client goes away
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await stream.aclose()
    assert hub.slots["a"].viewers == 0
    # The shared change future was not cancelled: another viewer of the slot still wakes.
    assert not hub.slots["a"].changed().cancelled()


async def test_two_streams_send_the_same_bytes_built_once(hub: Hub):
    hub.deliver_frame(make_frame("a", 1))
    streams = [tile_parts(hub, ["a"], max_fps=10, keepalive=5) for _ in range(2)]
    for stream in streams:
        await next_part(stream)
    built = shared.PARTS.built
    first, second = [await next_part(stream) for stream in streams]
    assert first is second, "one part object, shared"
    assert shared.PARTS.built - built <= 1
    for stream in streams:
        await stream.aclose()


async def test_frames_are_capped_per_camera_but_the_newest_is_not_dropped(hub: Hub):
    hub.deliver_frame(make_frame("a", 0))
    hub.deliver_frame(make_frame("b", 0))
    stream = tile_parts(hub, ["a", "b"], max_fps=10, keepalive=5)
    await next_part(stream)
    received: list[tuple[float, bytes]] = []
    loop = asyncio.get_running_loop()

    async def read() -> None:
        while True:
            part = await anext(stream)
            received.append((loop.time(), part))

    reader = asyncio.ensure_future(read())
    started = loop.time()
    for seq in range(1, 26):  # camera a at 50 fps for half a second, b at 5 fps
        hub.deliver_frame(make_frame("a", seq))
        if seq % 10 == 5:
            hub.deliver_frame(make_frame("b", seq))
        await asyncio.sleep(0.02)
    last = make_frame("a", 99)
    hub.deliver_frame(last)
    await asyncio.sleep(0.25)
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    await stream.aclose()
    times_a = [at for at, part in received if camera_of(part) == "a"]
    sent_b = [part for _, part in received if camera_of(part) == "b"]
    elapsed = times_a[-1] - started
    assert len(times_a) <= elapsed * 10 + 1.5, f"{len(times_a)} parts of a in {elapsed:.2f} s"
    assert all(later - earlier >= 0.095 for earlier, later in itertools.pairwise(times_a))
    assert received[-1][1] == tile_part("a", last.part), "a frame that came early is sent later"
    assert len(sent_b) == len(set(sent_b)) == 4, "the slower camera's every frame, once"


async def test_off_camera_sends_its_placeholder_as_keepalive(hub: Hub):
    hub.deliver_status(CameraStatus("a", state="off"))
    stream = tile_parts(hub, ["a"], max_fps=10, keepalive=0.2)
    await next_part(stream)
    loop = asyncio.get_running_loop()
    first = await next_part(stream)
    started = loop.time()
    second = await next_part(stream)
    assert first is second and camera_of(first) == "a"
    assert b"Content-Type: image/jpeg\r\n" in first
    assert 0.15 <= loop.time() - started < 1.0
    await stream.aclose()


async def test_closing_the_hub_or_removing_a_camera_ends_the_stream(hub: Hub):
    stream = tile_parts(hub, ["a", "b"], max_fps=10, keepalive=5)
    await next_part(stream)
    hub.forget("b")
    # The stream ends by itself (its parts so far are the placeholders of the two cameras).
    rest = await asyncio.wait_for(_drain(stream), 2)
    assert len(rest) <= 2
    assert hub.slots["a"].viewers == 0


async def _drain(stream: AsyncGenerator[bytes, None]) -> list[bytes]:
    return [part async for part in stream]


class FakeAccess:
    """An access guard that says yes `allowed` times, then no."""

    def __init__(self, allowed: int, interval: float = 0.1) -> None:
        self.interval = interval
        self.allowed = allowed
        self.started = self.stopped = 0

    def start(self) -> None:
        self.started += 1

    async def still_allowed(self) -> bool:
        self.allowed -= 1
        return self.allowed >= 0

    def stop(self) -> None:
        self.stopped += 1


async def test_the_send_loop_drives_it_and_a_revoked_access_ends_it(hub: Hub):
    access = FakeAccess(allowed=1)
    stream = TileStream(hub, ["a", "b"], max_fps=10, keepalive=0.05, access=access)
    assert stream.start() == STREAM_PREAMBLE and access.started == 1
    sent: list[bytes] = []
    loop = asyncio.get_running_loop()
    began = loop.time()
    while True:  # what the server's send loop does, without a generator in between
        part = stream.next_part()
        if part is not None:
            sent.append(part)
        elif not await asyncio.wait_for(stream.wait(), 1):
            break
    stream.close()
    stream.close()
    took = loop.time() - began
    assert 0.15 <= took < 1.0, "ended at the second re-check, 0.1 s apart"
    assert {camera_of(part) for part in sent} == {"a", "b"}
    assert access.stopped == 1
    assert (hub.slots["a"].viewers, hub.slots["b"].viewers) == (0, 0)
