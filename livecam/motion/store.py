"""Keep motion events: database rows, snapshot files, bus events and webhooks (analysis thread)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import DatabaseError

from livecam.bus.base import FrameBus
from livecam.bus.event import CameraEvent
from livecam.frames import Frame
from livecam.motion import files
from livecam.motion.serialize import event_json
from livecam.motion.tracker import OpenEvent
from livecam.motion.webhook import WebhookSender

logger = logging.getLogger(__name__)


def _utc(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC)


class EventStore:
    """Write events as they start and end, and tell pages and webhooks about them."""

    def __init__(self, bus: FrameBus, webhooks: WebhookSender) -> None:
        self.bus = bus
        self.webhooks = webhooks

    def started(self, camera_id: str, event: OpenEvent, frame: Frame, webhook: str) -> Any:
        """Store a new event with its first snapshot; return the row (None on failure)."""
        from livecam.motion.models import MotionEvent

        name = files.new_name("events", camera_id, ".jpg")
        try:
            files.write_atomic(name, frame.jpeg)
            row = MotionEvent.objects.create(
                camera_id=camera_id,
                started_at=_utc(event.started_at),
                peak_area=event.peak_area,
                snapshot=name,
            )
        except (DatabaseError, OSError):
            logger.exception("camera %s: cannot store a motion event", camera_id)
            files.remove(name)
            return None
        self._announce(row, "start", webhook)
        return row

    def ended(self, row: Any, event: OpenEvent, peak: Frame | None, webhook: str) -> None:
        """Close an event: end time, peak area and the snapshot of its strongest moment."""
        try:
            if peak is not None and row.snapshot:
                files.write_atomic(row.snapshot, peak.jpeg)
            row.ended_at = _utc(max(event.last_motion_at, event.started_at))
            row.peak_area = event.peak_area
            row.save(update_fields=["ended_at", "peak_area"])
        except (DatabaseError, OSError):
            logger.exception("camera %s: cannot close a motion event", row.camera_id)
            return
        self._announce(row, "end", webhook)

    def _announce(self, row: Any, phase: str, webhook: str) -> None:
        data = {**event_json(row), "phase": phase}
        self.bus.publish_event(CameraEvent(row.camera_id, "motion", data))
        if webhook:
            self.webhooks.send(webhook, {"event": f"motion_{phase}", **data})
