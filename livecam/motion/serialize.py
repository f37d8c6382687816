"""The JSON form of motion events and recordings (API, Server-Sent Events, webhooks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse


def _ts(value: dt.datetime | None) -> float | None:
    return round(value.timestamp(), 3) if value is not None else None


def event_json(event: Any) -> dict[str, Any]:
    """Return a motion event as JSON data (times in Unix seconds, like the camera state)."""
    started, ended = _ts(event.started_at), _ts(event.ended_at)
    return {
        "id": event.pk,
        "camera": event.camera_id,
        "started_at": started,
        "ended_at": ended,
        "ongoing": ended is None,
        "duration": round(ended - started, 3) if ended is not None and started else None,
        "peak_area": round(event.peak_area, 4),
        "snapshot_url": (
            reverse("livecam:event_snapshot", args=[event.camera_id, event.pk])
            if event.snapshot
            else None
        ),
    }


def recording_json(recording: Any) -> dict[str, Any]:
    """Return a recording as JSON data."""
    done = recording.state == "done"
    return {
        "id": recording.pk,
        "camera": recording.camera_id,
        "started_at": _ts(recording.started_at),
        "ended_at": _ts(recording.ended_at),
        "trigger": recording.trigger,
        "state": recording.state,
        "duration": recording.duration,
        "frames": recording.frames,
        "size": recording.size,
        "error": recording.error,
        "url": (
            reverse("livecam:recording_file", args=[recording.camera_id, recording.pk])
            if done
            else None
        ),
    }
