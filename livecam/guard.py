"""Long-lived responses stay authorized: periodic re-checks, cached; per-principal stream caps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Hashable
from typing import cast

from livecam import conf

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]

_MAX_ENTRIES = 10_000


class RecheckCache:
    """Answer "may this principal still watch this?" at most once per interval per key.

    Hundreds of viewers of one principal share one database check: the answer is cached for
    half the interval, and concurrent misses wait for the one check already running.
    A check that fails (database error) counts as "no": streams fail closed.
    """

    def __init__(self) -> None:
        self._results: dict[Hashable, tuple[float, bool]] = {}
        self._running: dict[Hashable, asyncio.Future[bool]] = {}

    async def allowed(self, key: Hashable, check: Check, ttl: float) -> bool:
        """Return the cached answer for key, or run check (once, shared) and cache it."""
        now = time.monotonic()
        cached = self._results.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        future = self._running.get(key)
        if future is None:
            future = asyncio.ensure_future(self._run(check))
            self._running[key] = future
            future.add_done_callback(lambda done: self._store(key, done, ttl))
        return await asyncio.shield(future)

    async def _run(self, check: Check) -> bool:
        try:
            return await check()
        except Exception:
            logger.exception("access re-check failed; closing the stream")
            return False

    def _store(self, key: Hashable, future: asyncio.Future[bool], ttl: float) -> None:
        self._running.pop(key, None)
        if future.cancelled():
            return
        if len(self._results) >= _MAX_ENTRIES:
            now = time.monotonic()
            self._results = {k: v for k, v in self._results.items() if v[0] > now}
        self._results[key] = (time.monotonic() + ttl, future.result())

    def forget(self) -> None:
        """Drop every cached answer (after a change made in this process)."""
        self._results.clear()


RECHECKS = RecheckCache()
"""This process's re-check cache."""


class StreamCounter:
    """Open streams per principal in this process, for the per-user cap."""

    def __init__(self) -> None:
        self.counts: dict[Hashable, int] = {}

    def full(self, key: Hashable, cap: int) -> bool:
        """Return True when key already holds `cap` streams (a cap of 0 means no cap)."""
        return bool(cap) and self.counts.get(key, 0) >= cap

    def add(self, key: Hashable) -> None:
        """Count one stream of key in."""
        self.counts[key] = self.counts.get(key, 0) + 1

    def remove(self, key: Hashable) -> None:
        """Count one stream of key out."""
        left = self.counts.get(key, 0) - 1
        if left > 0:
            self.counts[key] = left
        else:
            self.counts.pop(key, None)


STREAMS = StreamCounter()
"""This process's open streams per principal."""


def stream_cap() -> int:
    """Return the per-principal cap on concurrent streams (0: no cap)."""
    return int(conf.get("MAX_STREAMS_PER_USER"))


class StreamAccess:
    """One open stream's caller: counted toward its cap, re-checked every ACCESS_RECHECK s.

    Answers are shared by every stream with the same `check_key` (principal and camera);
    `key` is what the per-user cap counts (a user, a share link).
    """

    def __init__(self, *, key: Hashable, check_key: Hashable, check: Check) -> None:
        self.key = key
        self.check_key = check_key
        self.check = check
        self.interval = float(conf.get("ACCESS_RECHECK"))
        self._counted = False

    def start(self) -> None:
        """Count the stream toward its caller's cap."""
        if not self._counted:
            STREAMS.add(self.key)
            self._counted = True

    async def still_allowed(self) -> bool:
        """Return whether the caller may still watch (a shared, cached answer)."""
        if await RECHECKS.allowed(self.check_key, self.check, self.interval / 2):
            return True
        logger.info("closing a stream: access was revoked")
        return False

    def stop(self) -> None:
        """Count the stream out."""
        if self._counted:
            STREAMS.remove(self.key)
            self._counted = False


async def guarded(
    parts: AsyncIterator[bytes], *, key: Hashable, check_key: Hashable, check: Check
) -> AsyncGenerator[bytes, None]:
    """Pass parts on while `check` keeps saying yes (asked every ACCESS_RECHECK seconds).

    For streams that are generators (`ViewerStream` takes a `StreamAccess` directly). The
    stream counts toward key's cap from its first part until it ends; the wrapped
    generator is always closed, so its own cleanup (viewer counts) runs.
    """
    access = StreamAccess(key=key, check_key=check_key, check=check)
    async with contextlib.aclosing(cast(AsyncGenerator[bytes, None], parts)):
        access.start()
        try:
            next_check = time.monotonic() + access.interval
            async for part in parts:
                if access.interval > 0 and time.monotonic() >= next_check:
                    if not await access.still_allowed():
                        return
                    next_check = time.monotonic() + access.interval
                yield part
        finally:
            access.stop()
