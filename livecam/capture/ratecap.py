"""A camera's frame-rate cap: drop frames only when the source runs faster than the cap."""

from __future__ import annotations

CATCH_UP = 1.0
"""Seconds of frames a source may deliver late and then at once without a drop."""


class RateCap:
    """Decide, frame by frame, whether a frame fits under ``fps`` (0: no cap).

    Frames are due at fixed multiples of the period (a deadline, not the gap since the last
    frame), so a frame that comes early after a late one is kept. A source that stalls and
    then delivers what it held back at once (a network hiccup, or the capture thread starved
    for a moment) owes nothing: up to `CATCH_UP` seconds of such frames are all kept. Dropping
    one of them would break a passed-through H.264 stream (the next pictures refer to it) for
    a source that runs at exactly the cap; only a source faster than the cap on average loses
    frames.
    """

    def __init__(self, fps: float, now: float) -> None:
        self.interval = 1.0 / fps if fps > 0 else 0.0
        self._due = now

    def admit(self, now: float) -> bool:
        """Return True when a frame arriving at ``now`` (monotonic seconds) is kept."""
        if not self.interval:
            return True
        if now < self._due - self.interval / 2:
            return False
        self._due = max(self._due + self.interval, now - CATCH_UP)
        return True
