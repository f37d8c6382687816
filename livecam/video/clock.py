"""The media timeline of a camera's H.264 streams: 90 kHz ticks from the capture time.

Decode times come from each picture's capture time (Unix seconds) counted from one fixed
epoch, not from 0 per encoder: the timeline then survives a source restart, ON/OFF, an
encoder re-created and even another capture process taking the camera over (Redis leases),
and the web side can place its placeholder pictures on the same line without asking
capture. Within one stream the time is forced strictly increasing (a wall clock may step
back); a player sees gaps for the time the camera was off, never a step back.
"""

from __future__ import annotations

import threading

from livecam.video.boxes import TIMESCALE

EPOCH = 1_704_067_200.0
"""2024-01-01T00:00:00Z: media time 0 (keeps player times small: years, not decades)."""


def ticks(wall: float) -> int:
    """Return the media time of a Unix time, in 90 kHz ticks."""
    return max(0, round((wall - EPOCH) * TIMESCALE))


class StreamClock:
    """Hand out strictly increasing decode times for one stream (camera, width).

    When the wall clock steps back, the timeline is shifted forward by the step (kept as an
    offset) rather than crawling one tick per picture until the clock catches up.
    """

    def __init__(self) -> None:
        self.last = -1
        self._offset = 0
        self._lock = threading.Lock()

    def next(self, wall: float) -> int:
        """Return the decode time of a picture captured at ``wall``, after the previous one."""
        with self._lock:
            time = ticks(wall) + self._offset
            if time <= self.last:
                self._offset += self.last + 1 - time
                time = self.last + 1
            self.last = time
            return time


_clocks: dict[tuple[str, int], StreamClock] = {}
_clocks_lock = threading.Lock()


def clock_for(camera_id: str, width: int) -> StreamClock:
    """Return the process-wide clock of a stream (kept across workers and encoders)."""
    with _clocks_lock:
        clock = _clocks.get((camera_id, width))
        if clock is None:
            clock = _clocks[(camera_id, width)] = StreamClock()
        return clock
