"""Viewer counts summed over every web process, through one expiring Redis hash per process."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from livecam.bus.redis_keys import CAMERA_ID, VARIANT_DEMAND, VIDEO_DEMAND, RedisKeys

logger = logging.getLogger(__name__)


class ViewerTally:
    """Publish this process's viewers per camera and read everybody's.

    Each process writes its counts to its own hash with a short expiry and refreshes it
    every sync, so a process that dies stops counting after ``ttl`` seconds without anyone
    cleaning up after it.
    """

    def __init__(
        self,
        keys: RedisKeys,
        process_id: str,
        local: Callable[[], dict[str, int]],
        ttl: float = 5.0,
    ) -> None:
        self.keys = keys
        self.process_id = process_id
        self._local = local
        self._ttl_ms = max(1000, int(ttl * 1000))
        self.others: dict[str, int] = {}
        """Viewers per camera in every other process, as of the last sync."""

    def totals(self) -> dict[str, int]:
        """Return viewers per camera over every process (this one counted live)."""
        totals = dict(self.others)
        for camera_id, count in self._local().items():
            totals[camera_id] = totals.get(camera_id, 0) + count
        return totals

    async def sync(self, client: Any) -> None:
        """Write this process's counts and read the other processes' counts."""
        keys = self.keys
        mine = keys.viewers(self.process_id)
        counts = {camera_id: n for camera_id, n in self._local().items() if n > 0}
        pipe = client.pipeline(transaction=True)
        pipe.delete(mine)
        if counts:
            pipe.hset(mine, mapping=counts)
            pipe.pexpire(mine, self._ttl_ms)
            pipe.sadd(keys.web_processes, self.process_id)
        pipe.smembers(keys.web_processes)
        members = (await pipe.execute())[-1]
        others = [m.decode("ascii", "replace") for m in members]
        others = [m for m in others if m != self.process_id]
        if not others:
            self.others = {}
            return
        pipe = client.pipeline(transaction=False)
        for process_id in others:
            pipe.hgetall(keys.viewers(process_id))
        results = await pipe.execute()
        totals: dict[str, int] = {}
        gone = []
        for process_id, counts_of in zip(others, results, strict=True):
            if not counts_of:
                gone.append(process_id)  # expired or no viewers: it re-adds itself when needed
            for raw_id, raw_count in counts_of.items():
                camera_id = raw_id.decode("ascii", "replace")
                try:
                    count = int(raw_count)
                except ValueError:
                    count = -1
                known = (
                    CAMERA_ID.fullmatch(camera_id)
                    or VIDEO_DEMAND.fullmatch(camera_id)
                    or VARIANT_DEMAND.fullmatch(camera_id)
                )
                if not known or not 0 <= count <= 1_000_000:
                    logger.warning("bus: malformed viewer count from %r dropped", process_id)
                    continue
                totals[camera_id] = totals.get(camera_id, 0) + count
        if gone:
            await client.srem(keys.web_processes, *gone)
        self.others = totals
