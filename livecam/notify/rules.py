"""Pure decisions of notifications: quiet hours, rate limits, offline after a grace period."""

from __future__ import annotations

import dataclasses
import datetime as dt


def in_quiet_hours(now: dt.time, start: dt.time | None, end: dt.time | None) -> bool:
    """Return True when `now` falls in [start, end) (which may wrap past midnight)."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end


class RateLimit:
    """At most one notification per (user, camera) every `interval` seconds."""

    def __init__(self) -> None:
        self._last: dict[tuple[int, str], float] = {}

    def allow(self, key: tuple[int, str], interval: float, now: float) -> bool:
        """Return True (and remember `now`) when the last one for `key` is old enough."""
        last = self._last.get(key)
        if last is not None and now - last < interval:
            return False
        self._last[key] = now
        return True


@dataclasses.dataclass
class _Camera:
    down_since: float | None = None
    told_offline: bool = False


class OfflineWatch:
    """Decide when a camera "went offline" and "came back", so a flapping source stays quiet.

    A camera is down while it is enabled and in ``error``; it is reported offline only after
    being down for `grace` seconds, and reported back only if it had been reported offline.
    Switching a camera OFF is not going offline.
    """

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self._cameras: dict[str, _Camera] = {}

    def see(self, camera_id: str, state: str, enabled: bool, now: float) -> str | None:
        """Take a camera's new state; return ``"back"`` when that is news, else None."""
        camera = self._cameras.setdefault(camera_id, _Camera())
        if state == "online":
            camera.down_since = None
            if camera.told_offline:
                camera.told_offline = False
                return "back"
        elif enabled and state == "error":
            if camera.down_since is None:
                camera.down_since = now
        else:
            camera.down_since = None  # switched off, starting, idle: not a fault
        return None

    def due(self, now: float) -> list[str]:
        """Return the cameras that have been down for the grace period (reported once)."""
        due = []
        for camera_id, camera in self._cameras.items():
            since = camera.down_since
            if since is not None and not camera.told_offline and now - since >= self.grace:
                camera.told_offline = True
                due.append(camera_id)
        return due

    def next_due(self, now: float) -> float | None:
        """Return seconds until the next camera becomes due, None when none is down."""
        waits = [
            c.down_since + self.grace - now
            for c in self._cameras.values()
            if c.down_since is not None and not c.told_offline
        ]
        return max(0.0, min(waits)) if waits else None

    def forget(self, camera_id: str) -> None:
        """Drop a removed camera."""
        self._cameras.pop(camera_id, None)
