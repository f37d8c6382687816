"""Both bus backends behind one fixture shape, for the contract suite and Redis tests."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from typing import Any

from livecam.bus.base import FrameBus
from livecam.bus.memory import MemoryFrameBus
from livecam.bus.redis import RedisFrameBus
from livecam.frames import Frame

JPEG = b"\xff\xd8" + b"livecam-test-jpeg" * 20 + b"\xff\xd9"


def make_frame(seq: int, camera_id: str = "cam") -> Frame:
    return Frame.create(camera_id, seq, JPEG + bytes([seq % 256]) + b"\xff\xd9", 64, 48)


def redis_options(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "REDIS_URL": url,
        "REDIS_PREFIX": "test:",
        "KEEPALIVE_INTERVAL": 5.0,
        "BUS_HEARTBEAT": 0.2,
        "BUS_RETRY_MAX": 0.5,
        "FRAME_TTL": 5.0,
        # No capture process holds leases in these tests: don't flag "no capture process".
        "EMBEDDED_CAPTURE": True,
        **extra,
    }


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> float:
    """Wait until predicate() holds (polling: the state lives in another process); return s."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


@dataclasses.dataclass
class BusPair:
    """A web-side and a capture-side bus (the same object for the memory backend)."""

    web: FrameBus
    capture: FrameBus
    kind: str

    async def ready(self) -> None:
        """Wait until both sides hear the bus."""
        for bus in (self.web, self.capture):
            if isinstance(bus, RedisFrameBus):
                await eventually(lambda b=bus: b.connected)  # type: ignore[misc]

    async def flushed(self, frames: int) -> None:
        """Wait until capture has handed `frames` frames to the bus."""
        if isinstance(self.capture, RedisFrameBus):
            publisher = self.capture.publisher
            await eventually(lambda: publisher.frames_sent >= frames)
        else:
            await asyncio.sleep(0)
            await asyncio.sleep(0)


def memory_pair() -> BusPair:
    bus = MemoryFrameBus({"KEEPALIVE_INTERVAL": 5.0})
    return BusPair(bus, bus, "memory")


def redis_pair(url: str) -> BusPair:
    return BusPair(RedisFrameBus(redis_options(url)), RedisFrameBus(redis_options(url)), "redis")
