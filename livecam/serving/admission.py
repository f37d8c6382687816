"""Viewer caps: admit a stream or say why not, without overshooting under a burst."""

from __future__ import annotations

import time
from collections import deque

from livecam import metrics
from livecam.bus.hub import Hub

RETRY_AFTER = 10
"""Seconds a refused viewer is told to wait (``Retry-After``)."""

_PENDING_TTL = 10.0
"""Seconds an admitted stream may take to start before its reservation lapses."""


class ViewerCaps:
    """Count admitted-but-not-yet-started streams, so a burst cannot pass the caps together.

    A viewer is counted by its slot only once its generator runs, several awaits after the
    view checked the caps; without reservations twenty simultaneous requests would all see
    room for one more. A reservation is claimed when the stream starts, and lapses on its own
    if the response never starts (client gone first), so nothing can leak a place.
    All methods run on the event loop thread.
    """

    def __init__(self) -> None:
        self._pending: dict[str, deque[float]] = {}

    def admit(self, hub: Hub, camera_id: str, per_camera: int, total: int) -> str | None:
        """Reserve a place for a new viewer of a camera; return the refusal reason if full."""
        now = time.monotonic()
        for queue in self._pending.values():
            while queue and queue[0] < now:
                queue.popleft()
        pending = self._pending.setdefault(camera_id, deque())
        if total:
            reserved = sum(len(q) for q in self._pending.values())
            if hub.total_viewers() + reserved >= total:
                return self._refuse(camera_id, f"this server allows at most {total} viewers")
        if per_camera:
            slot = hub.slots.get(camera_id)
            watching = slot.viewers if slot is not None else 0
            if watching + len(pending) >= per_camera:
                return self._refuse(
                    camera_id, f"this camera allows at most {per_camera} viewers at once"
                )
        pending.append(now + _PENDING_TTL)
        return None

    def claim(self, camera_id: str) -> None:
        """Turn a reservation into a counted viewer (the stream has started)."""
        pending = self._pending.get(camera_id)
        if pending:
            pending.popleft()

    def pending(self) -> int:
        """Return how many reservations are outstanding (for tests and metrics)."""
        return sum(len(q) for q in self._pending.values())

    @staticmethod
    def _refuse(camera_id: str, why: str) -> str:
        metrics.VIEWERS_REJECTED.labels(camera_id).inc()
        return f"too many viewers: {why}; try again in {RETRY_AFTER} s"


CAPS = ViewerCaps()
"""This process's caps (one event loop, one set of counters)."""
