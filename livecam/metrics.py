"""Prometheus metrics: capture counters per frame, viewer-side figures read at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY, Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

FRAMES_CAPTURED = Counter("livecam_frames_captured", "Frames read from the source.", ["camera"])
FRAMES_ENCODED = Counter(
    "livecam_frames_encoded", "JPEG encodes done by capture (0 for pass-through).", ["camera"]
)
FRAMES_DROPPED = Counter(
    "livecam_frames_dropped", "Frames read but not published (rate cap).", ["camera"]
)
CAPTURE_ERRORS = Counter(
    "livecam_capture_errors", "Source failures that put the camera in error.", ["camera"]
)
RECONNECTS = Counter(
    "livecam_reconnects", "Times a source was reopened after an error.", ["camera"]
)
FRAMES_CORRUPT = Counter(
    "livecam_frames_corrupt",
    "Corrupt or truncated JPEGs from the source, dropped and never sent.",
    ["camera"],
)
RECORDING_ERRORS = Counter(
    "livecam_recording_errors",
    "Recordings cut short by a write error (a full disk); what was written is kept.",
    ["camera"],
)
CAPTURE_STALLS = Counter(
    "livecam_capture_stalls",
    "Source calls that blocked past the read timeout and were abandoned by the watchdog.",
    ["camera"],
)
CAPTURE_CRASHES = Counter(
    "livecam_capture_crashes", "Capture threads that died and were restarted.", ["camera"]
)
VIEWERS_REJECTED = Counter(
    "livecam_viewers_rejected", "Stream requests refused by a viewer cap (503).", ["camera"]
)
VIDEO_FRAMES_ENCODED = Counter(
    "livecam_video_frames_encoded",
    "H.264 pictures encoded by capture, all widths (0 while H.264 passes through).",
    ["camera"],
)
VARIANT_FRAMES_ENCODED = Counter(
    "livecam_variant_frames_encoded",
    "Resized JPEG variants (?width=) encoded: by capture once per frame per watched width, "
    "and by a web process for a snapshot at a width nobody streams.",
    ["camera", "width"],
)
VIEWERS_EVICTED = Counter(
    "livecam_viewers_evicted", "Viewers disconnected because their socket stopped draining."
)
HTTP_ERRORS = Counter(
    "livecam_http_errors",
    "Error answers by status (4xx and 5xx); each 500 also logged its traceback once.",
    ["status"],
)


_PER_CAMERA = (
    FRAMES_CAPTURED,
    FRAMES_ENCODED,
    FRAMES_DROPPED,
    CAPTURE_ERRORS,
    RECONNECTS,
    FRAMES_CORRUPT,
    RECORDING_ERRORS,
    CAPTURE_STALLS,
    CAPTURE_CRASHES,
    VIEWERS_REJECTED,
    VIDEO_FRAMES_ENCODED,
    VARIANT_FRAMES_ENCODED,
)


def forget(camera_id: str) -> None:
    """Drop a deleted camera's series: /metrics must not list cameras that no longer exist."""
    for counter in _PER_CAMERA:
        for family in counter.collect():
            labelled = {
                tuple(sample.labels.values())
                for sample in family.samples
                if sample.labels.get("camera") == camera_id
            }
            for values in labelled:
                try:
                    counter.remove(*values)
                except KeyError:  # removed meanwhile by another thread
                    pass


class _ViewerCollector(Collector):
    """Read viewers and parts sent from this process's hub when scraped.

    Viewers count parts in plain ints on their slot; a Prometheus counter updated per part
    per viewer would cost a lock each time on the hottest path.
    """

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        from livecam.bus import get_bus

        hub = get_bus().hub
        slots = hub.slots
        sent = CounterMetricFamily(
            "livecam_frames_sent",
            "Parts sent to viewers (frames and placeholders).",
            labels=["camera"],
        )
        viewers = GaugeMetricFamily("livecam_viewers", "Open streams.", labels=["camera"])
        sent_bytes = CounterMetricFamily(
            "livecam_bytes_sent",
            "Stream bytes handed to viewers' connections, by format (mjpeg, mp4).",
            labels=["camera", "format"],
        )
        for camera_id, slot in list(slots.items()):
            sent.add_metric([camera_id], slot.sent)
            viewers.add_metric([camera_id], slot.viewers)
            sent_bytes.add_metric([camera_id, "mjpeg"], slot.bytes_sent)
            sent_bytes.add_metric([camera_id, "mp4"], slot.mp4_bytes_sent)
        yield sent
        yield viewers
        yield sent_bytes


REGISTRY.register(_ViewerCollector())
