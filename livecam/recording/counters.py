"""Prometheus metrics of continuous recording (segments written, deleted, paused cameras)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

SEGMENTS_WRITTEN = Counter(
    "livecam_segments_written", "Continuous-recording segments finished on disk.", ["camera"]
)
SEGMENTS_DELETED = Counter(
    "livecam_segments_deleted",
    "Segments deleted by retention (age, count, disk budget, free-space floor).",
    ["camera"],
)
RECORDING_PAUSED = Gauge(
    "livecam_recording_paused",
    "1 while a camera's continuous recording is paused (disk full, low space, write error).",
    ["camera"],
)
