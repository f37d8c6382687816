"""Continuous recording in the capture owner: each camera's recorder, fed by capture.

Capture asks for the camera's full-size H.264 stream while a camera records and hands each
fragment here; `livecam.recording.continuous` writes the segments.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from livecam.recording import schedule
from livecam.recording.continuous import Announce, ContinuousRecorder
from livecam.video.packet import VideoPacket

logger = logging.getLogger(__name__)

_recorders: dict[str, ContinuousRecorder] = {}
_lock = threading.Lock()


def configure(camera_id: str, config: Any, announce: Announce) -> None:
    """Apply a camera's settings (``continuous``, ``schedule``, ``max_gb``) from the database."""
    recorder = _recorders.get(camera_id)
    if recorder is None:
        if not config.continuous:
            return
        with _lock:
            recorder = _recorders.setdefault(camera_id, ContinuousRecorder(camera_id, announce))
    try:
        windows = schedule.parse(config.schedule)
    except ValueError:
        logger.warning("camera %s: ignoring a bad schedule", camera_id)
        windows = []
    recorder.reconfigure(config.continuous, windows, config.max_gb)


def wants(camera_id: str) -> bool:
    """Return True when the camera's full-size H.264 is needed for recording (capture thread)."""
    recorder = _recorders.get(camera_id)
    return recorder is not None and recorder.wants()


def on_packet(packet: VideoPacket) -> None:
    """Hand a full-size fragment to its camera's recorder, if it records (capture thread)."""
    recorder = _recorders.get(packet.camera_id)
    # wants(), not just enabled: a viewer keeps full-size packets coming after the schedule
    # ended or during a pause, and those must not extend the open segment.
    if recorder is not None and recorder.wants():
        recorder.on_packet(packet)


def state(camera_id: str) -> tuple[str, str]:
    """Return the camera's continuous recording (state, reason)."""
    recorder = _recorders.get(camera_id)
    return recorder.state() if recorder is not None else ("off", "")


def session_ended(camera_id: str) -> None:
    """Finish the camera's open segment: its source closed."""
    recorder = _recorders.get(camera_id)
    if recorder is not None:
        recorder.finish()


def close_all(timeout: float) -> None:
    """Finish every open segment and stop the writer threads (capture is stopping)."""
    with _lock:
        recorders = list(_recorders.values())
        _recorders.clear()
    deadline = time.monotonic() + timeout
    for recorder in recorders:
        recorder.close(max(0.1, deadline - time.monotonic()))
