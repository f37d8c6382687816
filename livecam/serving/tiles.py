"""The tile stream: small frames of many cameras over one connection, each part built once.

A dashboard with many cameras cannot hold one MJPEG stream per tile (HTTP/1.1 browsers open
six connections per host), and polling snapshots costs a whole request per picture. A tile
stream carries every tile of the page in one multipart response instead; each part names its
camera in an ``X-Camera`` header. One `TileStream` watches all its cameras' slots: it waits
on their shared change futures through one callback each, never with a task per camera.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Sequence

from livecam.bus.hub import Hub
from livecam.bus.slot import LatestFrameSlot
from livecam.frames import STREAM_PREAMBLE, Frame
from livecam.serving.streaming import AccessGuard, PartStream
from livecam.serving.tile_parts import PARTS, Key

MAX_TILES = 64
"""Cameras one tile stream may carry."""


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
        self, camera_id: str, camera_slot: LatestFrameSlot, slot: LatestFrameSlot, key: Key
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
        slot = hub.variants.acquire(camera_id, width, camera_slot.status)
    key = (camera_id, width if slot is not camera_slot else 0)
    PARTS.hold(key)
    return _Tile(camera_id, camera_slot, slot, key)


def _unwatch(hub: Hub, tile: _Tile) -> None:
    tile.disarm()
    PARTS.release(tile.key)
    if tile.slot is not tile.camera_slot and hub.variants is not None:
        hub.variants.release(tile.camera_id, tile.key[1])
    hub.remove_viewer(tile.camera_id)


class TileStream(PartStream):
    """One tile stream: the next part of any of its cameras to send, or a wait for a change.

    A `PartSource` the server's send loop drives directly, like `ViewerStream`: ``start()``,
    then ``next_part()`` until it returns None, then ``await wait()``; ``close()`` at the end.

    Each camera counts one viewer (on-demand cameras stay awake while their tile is shown).
    Each new frame of each camera is sent at most once and at most `max_fps` times a second
    per camera; a frame that comes too early is sent when its turn comes, not dropped. When
    nothing new arrives, the current frame or placeholder is re-sent once per `keepalive`
    seconds, as in a single-camera stream. The stream ends when the server closes, a camera
    is removed or `access` says no; the client reconnects with the cameras it may still see.
    `on_start(camera_id)` is called once each camera's viewer is counted.
    """

    def __init__(
        self,
        hub: Hub,
        camera_ids: Sequence[str],
        *,
        max_fps: float,
        keepalive: float = 1.0,
        width: int = 0,
        on_start: Callable[[str], None] | None = None,
        access: AccessGuard | None = None,
    ) -> None:
        self.hub = hub
        self.camera_ids = list(camera_ids)
        self.width = width
        self._keepalive = keepalive
        self._min_interval = 1.0 / max_fps if max_fps > 0 else 0.0
        self._on_start = on_start
        self._access = access
        self._tiles: list[_Tile] = []
        self._waker: _Waker | None = None
        self._cursor = 0
        """The next tile to look at in this round (a round looks at every tile once)."""
        self._next_due = math.inf
        self._ended = False

    def start(self) -> bytes:
        """Count a viewer of every camera in; return the stream's first bytes."""
        hub = self.hub
        for camera_id in self.camera_ids:
            self._tiles.append(_watch(hub, camera_id, self.width))
            if self._on_start is not None:
                self._on_start(camera_id)
        loop = hub.loop or asyncio.get_running_loop()
        self._clock = loop.time
        self._waker = _Waker(loop)
        self._start_access()
        return STREAM_PREAMBLE

    def next_part(self) -> bytes | None:
        """Return the next part due in this round, or None (then await `wait`)."""
        tiles, now = self._tiles, self._clock()
        if self._ended or self._waker is None or now >= self._check_at:
            return None  # a due access re-check runs in wait()
        while self._cursor < len(tiles):
            tile = tiles[self._cursor]
            self._cursor += 1
            # Only tiles whose slot changed or whose time came are looked at: a round costs
            # the same with 4 cameras or 64. Armed before looking, so a change while parts go
            # out makes the next wait return at once.
            if tile.dirty:
                tile.arm(self._waker)
            elif now < tile.due:
                self._next_due = min(self._next_due, tile.due)
                continue
            if tile.slot.closed or tile.camera_slot.closed:
                self._ended = True
                return None
            part = self._look(tile, now)
            self._next_due = min(self._next_due, tile.due)
            if part is not None:
                return part
        return None

    def _look(self, tile: _Tile, now: float) -> bytes | None:
        wanted = tile.wanted(now, self._keepalive)
        fresh = wanted is not tile.shown
        tile.due = tile.last_sent + (self._min_interval if fresh else self._keepalive)
        if wanted is None:
            tile.due = tile.started + self._keepalive
        elif now >= tile.due:
            tile.shown, tile.last_sent, tile.due = wanted, now, now + self._keepalive
            part = PARTS.get(tile.key, wanted)
            tile.camera_slot.sent += 1
            tile.camera_slot.bytes_sent += len(part)
            return part
        return None

    async def wait(self) -> bool:
        """Wait for a change or the next due part (or run a due re-check); False: it is over."""
        if self._ended or self._waker is None:
            return False
        if self._clock() >= self._check_at:
            if not await self._recheck():
                return False
        elif self._cursor >= len(self._tiles):
            await self._waker.wait(min(self._next_due, self._check_at) - self._clock())
        # A new round: every tile is looked at again if it changed or is due.
        self._waker.pending = False
        self._cursor, self._next_due = 0, math.inf
        return not self._ended

    def close(self) -> None:
        """Count every viewer out (idempotent)."""
        if not self._close_once():
            return
        for tile in self._tiles:
            _unwatch(self.hub, tile)
