"""Deadline pacing for sources that produce frames on their own clock (pattern, files)."""

from __future__ import annotations

import threading
import time


class Pacer:
    """Release one frame per period on time.monotonic, without drift, and never in bursts.

    Frames are due at fixed multiples of the period, so a late frame does not push the
    following ones back (no drift). A caller that falls behind by more than a period skips
    ahead to now instead of catching up with a burst of frames.
    """

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps
        self._due: float | None = None

    def reset(self) -> None:
        """Make the next frame due at once (after open or a pause)."""
        self._due = None

    def wait(self, stop: threading.Event) -> bool:
        """Block until the next frame is due; return False at once when ``stop`` is set."""
        now = time.monotonic()
        if self._due is None or self._due < now - self.period:
            self._due = now
        delay = self._due - now
        # Event.wait, not sleep: close() from another thread must end the wait at once.
        if stop.wait(delay) if delay > 0 else stop.is_set():
            return False
        self._due += self.period
        return True
