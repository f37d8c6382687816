"""Send watchdog: disconnect viewers whose socket stopped draining (uvicorn has none)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from livecam import metrics

logger = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]

_CLOSING_LIMIT = 0.5
"""Seconds a send may block once the server is shutting down."""


class SendGuard:
    """One stream's send, stamped by the stream itself while a send is in progress.

    Two attribute writes per part instead of a wrapper coroutine: the cheapest way to let
    the watchdog see a send that never returns.
    """

    __slots__ = ("send", "started", "task")

    def __init__(self, send: Send, task: asyncio.Task[Any] | None) -> None:
        self.send = send
        self.task = task
        self.started = 0.0
        """Loop time when the current send began; 0.0 when no send is in progress."""


class SendWatchdog:
    """Abort the connection of a viewer whose ``send`` has been blocked for too long.

    Per send this costs two dict operations; one task per process checks four times a second.
    Cancelling the response alone is not enough: uvicorn then *closes* the transport, and a
    graceful close waits for the buffered bytes to drain, which a stalled peer never does, so
    the socket and its buffer would live on. The watchdog therefore aborts the transport
    (RST, buffers freed at once); uvicorn sees the connection lost, Django sees the
    disconnect, and the stream's ``finally`` releases the viewer.
    """

    def __init__(self, timeout: float, closing: Callable[[], bool] | None = None) -> None:
        self.timeout = timeout
        self.closing = closing
        """Return True once the server is shutting down: then blocked sends go at once."""
        self.evicted = 0
        self._inflight: dict[int, tuple[float, asyncio.Task[Any], Send]] = {}
        self._guards: set[SendGuard] = set()
        self._task: asyncio.Task[None] | None = None

    def register(self, send: Send) -> SendGuard:
        """Watch a stream that stamps its own sends (call from the task that sends)."""
        guard = SendGuard(send, asyncio.current_task())
        self._guards.add(guard)
        return guard

    def unregister(self, guard: SendGuard) -> None:
        """Stop watching a stream (it ended)."""
        self._guards.discard(guard)

    def wrap(self, send: Send) -> Send:
        """Return a ``send`` that the watchdog can time out."""
        inflight = self._inflight
        key = id(send)

        async def guarded(message: dict[str, Any]) -> None:
            task = asyncio.current_task()
            if task is not None:
                inflight[key] = (asyncio.get_running_loop().time(), task, send)
            try:
                await send(message)
            finally:
                inflight.pop(key, None)

        return guarded

    def start(self) -> None:
        """Start checking on the running loop."""
        if self._task is None and self.timeout > 0:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="send-watchdog")

    async def stop(self) -> None:
        """Stop checking."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    def check(self, now: float) -> int:
        """Evict every send blocked since before ``now - timeout``; return how many."""
        # While shutting down, a viewer that cannot take its last bytes must not hold the
        # exit up for uvicorn's graceful timeout.
        limit = _CLOSING_LIMIT if self.closing is not None and self.closing() else self.timeout
        count = 0
        for key, (started, task, send) in list(self._inflight.items()):
            if now - started > limit:
                del self._inflight[key]
                count += self._evict(now - started, task, send)
        for guard in list(self._guards):
            started = guard.started
            if started and now - started > limit:
                self._guards.discard(guard)
                count += self._evict(now - started, guard.task, guard.send)
        return count

    def _evict(self, blocked: float, task: asyncio.Task[Any] | None, send: Send) -> int:
        self.evicted += 1
        metrics.VIEWERS_EVICTED.inc()
        logger.info("viewer stalled for %.0f s; disconnecting", blocked)
        if not _abort_transport(send) and task is not None:
            task.cancel()  # no transport to reach (another server): cancel the response
        return 1

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        interval = min(_CLOSING_LIMIT / 2, self.timeout / 2)
        while True:
            await asyncio.sleep(interval)
            self.check(loop.time())


def _abort_transport(send: Send) -> bool:
    """Abort the socket behind an ASGI ``send``; return False when it cannot be reached.

    uvicorn's ``send`` is a method of its request/response cycle, which holds the transport.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    abort = getattr(transport, "abort", None)
    if abort is None:
        return False
    abort()
    return True
