"""The re-check cache: many viewers of one principal cost one check per interval."""

from __future__ import annotations

import asyncio

from livecam.serving.guard import RecheckCache, StreamCounter


async def test_three_hundred_viewers_share_one_check():
    cache = RecheckCache()
    calls = 0
    release = asyncio.Event()

    async def check() -> bool:
        nonlocal calls
        calls += 1
        await release.wait()  # a slow database: every viewer asks while the check runs
        return True

    waiters = [
        asyncio.ensure_future(cache.allowed(("token", 1, "demo"), check, 60)) for _ in range(300)
    ]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiters) == [True] * 300
    assert calls == 1
    assert await cache.allowed(("token", 1, "demo"), check, 60) is True
    assert calls == 1  # answered from the cache
    assert await cache.allowed(("token", 2, "demo"), check, 60) is True
    assert calls == 2  # another principal is checked on its own


async def test_an_expired_answer_is_checked_again_and_a_failing_check_says_no():
    cache = RecheckCache()
    answers = iter([True, False])

    async def check() -> bool:
        return next(answers)

    assert await cache.allowed("k", check, 0) is True
    assert await cache.allowed("k", check, 0) is False  # ttl 0: asked again, now revoked

    async def broken() -> bool:
        raise RuntimeError("database is down")

    assert await cache.allowed("other", broken, 60) is False  # fail closed


async def test_a_cancelled_viewer_does_not_cancel_the_shared_check():
    cache = RecheckCache()
    release = asyncio.Event()

    async def check() -> bool:
        await release.wait()
        return True

    first = asyncio.ensure_future(cache.allowed("k", check, 60))
    second = asyncio.ensure_future(cache.allowed("k", check, 60))
    await asyncio.sleep(0)
    first.cancel()  # that viewer disconnected
    release.set()
    assert await second is True


def test_stream_counter():
    counter = StreamCounter()
    assert not counter.full("u", 2)
    counter.add("u")
    counter.add("u")
    assert counter.full("u", 2) and not counter.full("u", 0) and not counter.full("v", 2)
    counter.remove("u")
    counter.remove("u")
    assert counter.counts == {}
