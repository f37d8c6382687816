"""The tile stream: small frames of many cameras over one connection, each part built once.

A dashboard with many cameras cannot hold one MJPEG stream per tile (HTTP/1.1 browsers open
six connections per host), and polling snapshots costs a whole request per picture. A tile
stream carries every tile of the page in one multipart response instead; each part names its
camera in an ``X-Camera`` header. One generator watches all its cameras' slots: it waits on
their shared change futures through one callback each, never with a task per camera.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncGenerator, Callable, Sequence

from livecam.bus.hub import Hub
from livecam.bus.slot import LatestFrameSlot
from livecam.frames import STREAM_PREAMBLE, Frame

MAX_TILES = 64
"""Cameras one tile stream may carry."""

_Key = tuple[str, int]


def tile_part(camera_id: str, part: bytes) -> bytes:
    """Return a stream part with an ``X-Camera`` header naming its camera in front."""
    return b"X-Camera: %s\r\n%s" % (camera_id.encode("ascii"), part)


class TileParts:
    """Tile parts of the newest frame or placeholder per camera and width, shared by streams.

    Every tile stream of the same camera and width sends the very same bytes: the part is
    built on the first stream's demand and reused by the others. One entry per (camera,
    width) that some tile stream watches, holding the frame it was built from, so memory stays
    bounded. All methods run on the event loop thread.
    """

    def __init__(self) -> None:
        self._parts: dict[_Key, tuple[Frame | bytes, bytes]] = {}
        self._users: dict[_Key, int] = {}
        self.built = 0
        """Parts built so far (tests check that streams share them)."""

    def get(self, key: _Key, source: Frame | bytes) -> bytes:
        """Return the tile part of a frame (or of a placeholder part), building it once."""
        cached = self._parts.get(key)
        if cached is not None and cached[0] is source:
            return cached[1]
        part = tile_part(key[0], source.part if isinstance(source, Frame) else source)
        if key in self._users:  # never cache for a key nobody holds (it would never be freed)
            self._parts[key] = (source, part)
        self.built += 1
        return part

    def hold(self, key: _Key) -> None:
        """Count a stream in that will ask for this key's parts."""
        self._users[key] = self._users.get(key, 0) + 1

    def release(self, key: _Key) -> None:
        """Count a stream out; forget the key's part with the last one."""
        left = self._users.get(key, 0) - 1
        if left > 0:
            self._users[key] = left
        else:
            self._users.pop(key, None)
            self._parts.pop(key, None)


PARTS = TileParts()
"""This process's shared tile parts."""


class _Waker:
    """One future per wait, completed by any watched slot's change or a deadline."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._future: asyncio.Future[None] | None = None
        self.pending = False
        """True when something changed since the stream last looked."""

    def fire(self, _done: object = None) -> None:
        """Wake the stream (a done callback of a slot's change future, or the deadline)."""
        self.pending = True
        future = self._future
        if future is not None and not future.done():
            future.set_result(None)

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        """Return at the next change, or after `timeout` seconds."""
        if self.pending or timeout <= 0:
            return
        future = self._future = self._loop.create_future()
        timer = self._loop.call_later(timeout, self.fire)
        try:
            await future  # our own future: cancelling it (client gone) concerns nobody else
        finally:
            timer.cancel()
            self._future = None


class _Tile:
    """One camera of a tile stream: its slots, what it showed last, when it is due again."""

    def __init__(
        self, camera_id: str, camera_slot: LatestFrameSlot, slot: LatestFrameSlot, key: _Key
    ) -> None:
        self.camera_id = camera_id
        self.camera_slot = camera_slot
        self.slot = slot
        self.key = key
        self.waker: _Waker | None = None
        self.shown: object = None
        self.started = time.monotonic()
        self.last_sent = -math.inf
        self.due = -math.inf
        """When to look at this tile again even if its slot does not change."""
        self.dirty = True
        """The slot changed since the stream last looked at this tile."""
        self._armed: asyncio.Future[None] | None = None

    def arm(self, waker: _Waker) -> None:
        """Be woken (with the stream) at the slot's next change; look at it from now on."""
        self.waker, self.dirty = waker, False
        changed = self.slot.changed()
        if changed is not self._armed:
            changed.add_done_callback(self._fire)
            self._armed = changed

    def disarm(self) -> None:
        """Stop listening to the slot (the stream ends)."""
        if self._armed is not None and not self._armed.done():
            self._armed.remove_done_callback(self._fire)
        self._armed = None

    def _fire(self, _done: object) -> None:
        self.dirty = True
        if self.waker is not None:
            self.waker.fire()

    def wanted(self, now: float, keepalive: float) -> Frame | bytes | None:
        """Return what the tile should show: the frame, the placeholder, or None (not yet)."""
        slot = self.slot
        if slot.live:
            return slot.frame
        if (
            self.shown is None
            and slot is not self.camera_slot
            and self.camera_slot.live
            and now < self.started + keepalive
        ):
            # The camera is live and its variant's first frame is being encoded: a moment's
            # wait beats flashing "STARTING" over the picture the page still shows.
            return None
        return slot.placeholder_part()


def _watch(hub: Hub, camera_id: str, width: int) -> _Tile:
    """Count a viewer of the camera in (and of its variant), as a single-camera stream does."""
    camera_slot = hub.add_viewer(camera_id)
    slot = camera_slot
    if width and hub.variants is not None:
        slot = hub.variants.slot(camera_id, width, camera_slot.status)
        slot.add_viewer()
    key = (camera_id, width if slot is not camera_slot else 0)
    PARTS.hold(key)
    return _Tile(camera_id, camera_slot, slot, key)


def _unwatch(hub: Hub, tile: _Tile) -> None:
    tile.disarm()
    PARTS.release(tile.key)
    if tile.slot is not tile.camera_slot:
        tile.slot.remove_viewer()
        if hub.variants is not None:
            hub.variants.release(tile.camera_id, tile.key[1])
    hub.remove_viewer(tile.camera_id)


async def tile_parts(
    hub: Hub,
    camera_ids: Sequence[str],
    *,
    max_fps: float,
    keepalive: float = 1.0,
    width: int = 0,
    on_start: Callable[[str], None] | None = None,
) -> AsyncGenerator[bytes, None]:
    """Yield one multipart stream with the parts of several cameras until one goes away.

    Each camera counts one viewer (on-demand cameras stay awake while their tile is shown).
    Each new frame of each camera is sent at most once and at most `max_fps` times a second
    per camera; a frame that comes too early is sent when its turn comes, not dropped. When
    nothing new arrives, the current frame or placeholder is re-sent once per `keepalive`
    seconds, as in a single-camera stream. The stream ends when the server closes or a camera
    is removed; the client reconnects with the cameras it may still see.
    `on_start(camera_id)` is called once each camera's viewer is counted.
    """
    waker = _Waker(asyncio.get_running_loop())
    min_interval = 1.0 / max_fps if max_fps > 0 else 0.0
    tiles: list[_Tile] = []
    try:
        for camera_id in camera_ids:
            tiles.append(_watch(hub, camera_id, width))
            if on_start is not None:
                on_start(camera_id)
        yield STREAM_PREAMBLE
        while True:
            waker.pending = False
            now = time.monotonic()
            next_due = math.inf
            for tile in tiles:
                # Only tiles whose slot changed or whose time came are looked at: a wake costs
                # the same with 4 cameras or 64. Armed before looking, so a change while parts
                # go out wakes the next wait.
                if tile.dirty:
                    tile.arm(waker)
                elif now < tile.due:
                    next_due = min(next_due, tile.due)
                    continue
                if tile.slot.closed or tile.camera_slot.closed:
                    return
                wanted = tile.wanted(now, keepalive)
                fresh = wanted is not tile.shown
                tile.due = tile.last_sent + (min_interval if fresh else keepalive)
                if wanted is None:
                    tile.due = tile.started + keepalive
                elif now >= tile.due:
                    tile.shown, tile.last_sent = wanted, now
                    tile.camera_slot.sent += 1
                    yield PARTS.get(tile.key, wanted)
                    tile.due = now + keepalive
                next_due = min(next_due, tile.due)
            await waker.wait(next_due - time.monotonic())
    finally:
        for tile in tiles:
            _unwatch(hub, tile)
