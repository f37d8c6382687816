"""Count a capture session's corrupt frames: the worker's own checks and the source's drops."""

from __future__ import annotations

from livecam import metrics
from livecam.sources.base import FrameSource, SourceError

MAX_CORRUPT_IN_A_ROW = 50
"""Corrupt frames in a row after which the source counts as failed (and is reopened)."""


class CorruptCounter:
    """Count corrupt frames of one session: the worker's own checks and the source's drops."""

    def __init__(self, camera_id: str, source: FrameSource) -> None:
        self._metric = metrics.FRAMES_CORRUPT.labels(camera_id)
        self._source = source
        self._seen = int(getattr(source, "dropped", 0))
        self.in_a_row = 0

    def sync(self) -> None:
        """Add the parts the source itself dropped since the last call (relay, device)."""
        dropped = int(getattr(self._source, "dropped", 0))
        if dropped > self._seen:
            self._metric.inc(dropped - self._seen)
        self._seen = dropped

    def add(self) -> None:
        """Count one corrupt frame; too many in a row make the source an error."""
        self._metric.inc()
        self.in_a_row += 1
        if self.in_a_row >= MAX_CORRUPT_IN_A_ROW:
            raise SourceError(f"the source sent {self.in_a_row} corrupt frames in a row")
