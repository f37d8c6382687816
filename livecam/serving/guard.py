"""Long-lived responses stay authorized: periodic re-checks, cached; per-principal stream caps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Hashable
from typing import TypeVar, cast

from asgiref.sync import sync_to_async
from django.db import DatabaseError, close_old_connections

from livecam import conf
from livecam.access.fallback import grace_seconds

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]
T = TypeVar("T")

_MAX_ENTRIES = 10_000


async def fresh_connection(check: Callable[[], Awaitable[T]]) -> T:
    """Run check on a database connection opened for it, and close it afterwards.

    Async ORM calls of a long-lived response run on one worker thread for its whole life; a
    connection the database dropped (a restart, pg_terminate_backend) would stay there broken
    and fail every later check. Opening one per check (every few seconds per principal at
    most) costs a connect and always reaches a database that is back.
    """
    await sync_to_async(close_old_connections)()
    try:
        return await check()
    finally:
        await sync_to_async(close_old_connections)()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class RecheckCache:
    """Answer "may this principal still watch this?" at most once per interval per key.

    Hundreds of viewers of one principal share one database check: the answer is cached for
    half the interval, and concurrent misses wait for the one check already running.
    A check that cannot reach the database is not a "no": the last real answer stands for
    ACCESS_GRACE seconds after it was given (a dropped connection, a database restart), then
    streams fail closed, since a revocation could no longer be seen.
    """

    def __init__(self) -> None:
        self._results: dict[Hashable, tuple[float, bool]] = {}
        self._running: dict[Hashable, asyncio.Future[bool]] = {}
        self._confirmed: dict[Hashable, float] = {}
        """monotonic() of the last real "yes" per key (from a check or the opening request)."""

    def confirm(self, key: Hashable) -> None:
        """Record a "yes" just given elsewhere (a request that was authorized a moment ago)."""
        self._confirmed[key] = time.monotonic()

    async def allowed(self, key: Hashable, check: Check, ttl: float) -> bool:
        """Return the cached answer for key, or run check (once, shared) and cache it."""
        now = time.monotonic()
        cached = self._results.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        future = self._running.get(key)
        if future is None:
            future = asyncio.ensure_future(self._run(key, check))
            self._running[key] = future
            future.add_done_callback(lambda done: self._store(key, done, ttl))
        return await asyncio.shield(future)

    async def _run(self, key: Hashable, check: Check) -> bool:
        try:
            answer = await fresh_connection(check)
        except DatabaseError as exc:
            return self._unknown(key, exc)
        except Exception:
            logger.exception("access re-check failed; closing the stream")
            return False
        if answer:
            self._confirmed[key] = time.monotonic()
        else:
            self._confirmed.pop(key, None)
        return answer

    def _unknown(self, key: Hashable, exc: Exception) -> bool:
        since = self._confirmed.get(key)
        grace = grace_seconds()
        if since is not None and time.monotonic() - since <= grace:
            logger.warning(
                "access re-check cannot reach the database (%s); keeping the last answer "
                "for up to %.0f s",
                _first_line(exc),
                grace,
            )
            return True
        logger.warning(
            "access re-check cannot reach the database for more than %.0f s; closing the stream",
            grace,
        )
        return False

    def _store(self, key: Hashable, future: asyncio.Future[bool], ttl: float) -> None:
        self._running.pop(key, None)
        if future.cancelled():
            return
        if len(self._results) >= _MAX_ENTRIES:
            now = time.monotonic()
            self._results = {k: v for k, v in self._results.items() if v[0] > now}
            horizon = now - grace_seconds()
            self._confirmed = {k: at for k, at in self._confirmed.items() if at > horizon}
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
        """Count the stream toward its caller's cap (its request was just authorized)."""
        if not self._counted:
            STREAMS.add(self.key)
            RECHECKS.confirm(self.check_key)
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
