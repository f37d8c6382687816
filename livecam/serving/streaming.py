"""A viewer's stream: await the next frame, send the part built once, skip what it missed."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncGenerator, Callable
from typing import Protocol

from livecam.bus.hub import Hub
from livecam.bus.slot import LatestFrameSlot
from livecam.frames import STREAM_PREAMBLE


class AccessGuard(Protocol):
    """What a stream asks about its caller: counted in at start, re-checked while open."""

    interval: float
    """Seconds between re-checks (0: never)."""

    def start(self) -> None:
        """Count the stream toward its caller's cap."""

    async def still_allowed(self) -> bool:
        """Return whether the caller may still watch."""

    def stop(self) -> None:
        """Count the stream out (called once)."""


class WaitSlot(Protocol):
    """What a stream waits on: a slot that wakes its waiters on every change and at close."""

    closed: bool

    def waiter(self) -> asyncio.Future[None]:
        """Return a future resolved at the slot's next change."""
        ...


class PartStream:
    """A stream the server's send loop drives directly, or `parts()` as a generator.

    The loop: ``start()``, then ``next_part()`` until it returns None, then ``await wait()``;
    ``close()`` at the end.
    """

    def start(self) -> bytes | None:
        """Count the stream's viewers in; return its first bytes (None: none ready yet)."""
        raise NotImplementedError

    def next_part(self) -> bytes | None:
        """Return the part to send now, or None when there is none (then await `wait`)."""
        raise NotImplementedError

    async def wait(self) -> bool:
        """Wait for the next change (or run a due access re-check); False: the stream is over."""
        slot = self._slot
        if slot is None or slot.closed:
            return False
        if self._clock() >= self._check_at:
            return await self._recheck()
        await slot.waiter()
        return not slot.closed

    def close(self) -> None:
        """Count the stream's viewers out (idempotent)."""
        raise NotImplementedError

    _slot: WaitSlot | None = None
    _access: AccessGuard | None = None
    _check_at = math.inf
    _clock: Callable[[], float] = staticmethod(time.monotonic)
    _closed = False

    def _start_access(self) -> None:
        """Count the stream toward its caller's cap and schedule the first re-check."""
        access = self._access
        if access is not None:
            access.start()
            if access.interval > 0:
                self._check_at = self._clock() + access.interval

    async def _recheck(self) -> bool:
        """Run the due access re-check; return whether the caller may still watch."""
        access = self._access
        if access is None:
            return True
        if not await access.still_allowed():
            return False
        self._check_at = self._clock() + access.interval
        return True

    def _close_once(self) -> bool:
        """Mark the stream closed and count it out of its caller's cap; False if it was."""
        if self._closed:
            return False
        self._closed = True
        if self._access is not None:
            self._access.stop()
        return True

    async def parts(self) -> AsyncGenerator[bytes, None]:
        """Yield the whole stream as an async generator (closing it counts the viewers out)."""
        try:
            first = self.start()
            if first is not None:
                yield first
            while True:
                part = self.next_part()
                if part is not None:
                    yield part
                elif not await self.wait():
                    return
        finally:
            self.close()


class ViewerStream(PartStream):
    """One viewer of one camera: the next part to send, or a wait for the next change.

    The server's send loop drives it without any generator in between (a generator layer per
    viewer costs a few microseconds per part, which with hundreds of viewers is a tenth of
    the server's CPU): ``start()``, then ``next_part()`` until it returns None, then
    ``await wait()``; ``close()`` at the end. ``parts()`` wraps the same loop as an async
    generator for callers that want one.

    Each new frame is sent at most once. When nothing new arrives (camera OFF, no signal, a
    still image) the current frame or placeholder is re-sent once per `keepalive` seconds so
    the viewer sees why, proxies keep the connection, and dead peers are noticed. With
    `width`, the viewer gets that variant (encoded once per frame by capture, shared).
    `on_start(camera_id)` is called once the viewer is counted (the caps claim its place);
    `access`, when given, is re-checked every `access.interval` seconds and ends the stream
    when it says no.
    """

    def __init__(
        self,
        hub: Hub,
        camera_id: str,
        *,
        max_fps: float = 0.0,
        keepalive: float = 1.0,
        width: int = 0,
        on_start: Callable[[str], None] | None = None,
        access: AccessGuard | None = None,
    ) -> None:
        self.hub = hub
        self.camera_id = camera_id
        self.width = width
        self._keepalive = keepalive
        self._min_interval = 1.0 / max_fps if max_fps > 0 else 0.0
        self._on_start = on_start
        self._access = access
        self._camera_slot: LatestFrameSlot | None = None
        self._slot: LatestFrameSlot | None = None
        self._shown: object = None
        self._last_sent = -math.inf

    def start(self) -> bytes:
        """Count the viewer in; return the stream's first bytes."""
        hub = self.hub
        camera_slot = self._camera_slot = hub.add_viewer(self.camera_id)
        if self._on_start is not None:
            self._on_start(self.camera_id)
        slot = camera_slot
        if self.width and hub.variants is not None:
            slot = hub.variants.acquire(self.camera_id, self.width, camera_slot.status)
        self._slot = slot
        loop = hub.loop
        if loop is not None:
            self._clock = loop.time
        self._start_access()
        return STREAM_PREAMBLE

    def next_part(self) -> bytes | None:
        """Return the part to send now, or None when there is none (then await `wait`)."""
        slot = self._slot
        if slot is None or slot.closed:
            return None
        now = self._clock()
        if now >= self._check_at:
            return None  # the access re-check runs in wait()
        frame = slot.frame
        wanted: object = frame if slot.live else slot.placeholder_part()
        since = now - self._last_sent
        if (wanted is not self._shown and since >= self._min_interval) or since >= self._keepalive:
            self._shown, self._last_sent = wanted, now
            part: bytes = frame.part if wanted is frame and frame is not None else wanted  # type: ignore[assignment]
            camera_slot = self._camera_slot
            camera_slot.sent += 1  # type: ignore[union-attr]
            camera_slot.bytes_sent += len(part)  # type: ignore[union-attr]
            return part
        return None

    def close(self) -> None:
        """Count the viewer out (idempotent)."""
        if not self._close_once() or self._camera_slot is None:
            return  # never started: nothing was counted
        variants = self.hub.variants
        if self._slot is not self._camera_slot and self._slot is not None and variants is not None:
            variants.release(self.camera_id, self.width)
        self.hub.remove_viewer(self.camera_id)


def viewer_parts(
    hub: Hub,
    camera_id: str,
    *,
    max_fps: float = 0.0,
    keepalive: float = 1.0,
    width: int = 0,
    on_start: Callable[[str], None] | None = None,
) -> AsyncGenerator[bytes, None]:
    """Return the multipart stream of one viewer as an async generator (see `ViewerStream`)."""
    stream = ViewerStream(
        hub, camera_id, max_fps=max_fps, keepalive=keepalive, width=width, on_start=on_start
    )
    return stream.parts()
