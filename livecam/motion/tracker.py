"""Turn per-analysis detections into motion events: start, peak, end (pure logic, no I/O)."""

from __future__ import annotations

import dataclasses

from livecam.motion.detector import Box, Detection


@dataclasses.dataclass(slots=True)
class OpenEvent:
    """A motion event in progress."""

    started_at: float
    last_motion_at: float
    peak_area: float = 0.0
    peak_at: float = 0.0
    box: Box | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """What the tracker decided after one detection."""

    started: OpenEvent | None = None
    ended: OpenEvent | None = None
    new_peak: bool = False


class EventTracker:
    """Start an event after ``confirm`` consecutive detections; end it after ``gap`` quiet seconds.

    Requiring two detections in a row keeps a single glitch (a compression artefact, an insect
    on the lens for one frame) from becoming an event; the gap keeps one person walking past
    with pauses one event instead of many.
    """

    def __init__(self, confirm: int = 2, gap: float = 2.0) -> None:
        self.confirm = max(1, confirm)
        self.gap = gap
        self.current: OpenEvent | None = None
        self._streak = 0
        self._streak_start = 0.0

    def update(self, detection: Detection, at: float) -> Change:
        """Feed one detection taken at time ``at`` (Unix seconds)."""
        event = self.current
        if detection.motion:
            if self._streak == 0:
                self._streak_start = at
            self._streak += 1
        else:
            self._streak = 0
        if event is None:
            if self._streak >= self.confirm:
                event = self.current = OpenEvent(self._streak_start, at, detection.area, at)
                event.box = detection.box
                return Change(started=event, new_peak=True)
            return Change()
        if detection.motion:
            event.last_motion_at = at
            event.box = detection.box
            if detection.area > event.peak_area:
                event.peak_area, event.peak_at = detection.area, at
                return Change(new_peak=True)
            return Change()
        if at - event.last_motion_at >= self.gap:
            return Change(ended=self.finish())
        return Change()

    def finish(self) -> OpenEvent | None:
        """End the event in progress now (camera stopped, settings changed); return it."""
        event, self.current = self.current, None
        self._streak = 0
        return event
