"""Send watchdog: disconnect viewers whose socket stopped draining (uvicorn has none)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


class SendWatchdog:
    """Cancel the response of a connection whose ``send`` has been blocked for too long.

    Per send this costs two dict operations; one task per process checks every second. A
    cancelled send is what Django treats as a disconnect: the stream's generator is closed,
    its ``finally`` releases the viewer, and uvicorn closes the socket.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.evicted = 0
        self._inflight: dict[int, tuple[float, asyncio.Task[Any]]] = {}
        self._task: asyncio.Task[None] | None = None

    def wrap(self, send: Send) -> Send:
        """Return a ``send`` that the watchdog can time out."""
        inflight = self._inflight
        key = id(send)

        async def guarded(message: dict[str, Any]) -> None:
            task = asyncio.current_task()
            if task is not None:
                inflight[key] = (asyncio.get_running_loop().time(), task)
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

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        interval = min(1.0, self.timeout / 2)
        while True:
            await asyncio.sleep(interval)
            now = loop.time()
            for key, (started, task) in list(self._inflight.items()):
                if now - started > self.timeout:
                    del self._inflight[key]
                    self.evicted += 1
                    logger.info("viewer stalled for %.0f s; disconnecting", now - started)
                    task.cancel()
