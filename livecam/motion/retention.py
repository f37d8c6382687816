"""Retention: delete events and recordings older than the camera's max age or beyond its count."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import QuerySet
from django.utils import timezone

from livecam.motion.config import MediaConfig

logger = logging.getLogger(__name__)


def _prune(queryset: QuerySet, config: MediaConfig, now: dt.datetime) -> int:  # type: ignore[type-arg]
    removed = 0
    if config.max_age_days > 0:
        cutoff = now - dt.timedelta(days=config.max_age_days)
        # delete() sends post_delete per row, which removes the row's file.
        removed += queryset.filter(started_at__lt=cutoff).delete()[0]
    if config.max_count > 0:
        surplus = list(
            queryset.order_by("-started_at", "-id").values_list("id", flat=True)[config.max_count :]
        )
        for start in range(0, len(surplus), 500):
            removed += queryset.filter(id__in=surplus[start : start + 500]).delete()[0]
    return removed


def clean(config: MediaConfig, now: dt.datetime | None = None) -> int:
    """Apply one camera's retention; return how many events and recordings were deleted."""
    from livecam.motion.models import MotionEvent
    from livecam.recording.models import Recording

    now = now or timezone.now()
    events = MotionEvent.objects.filter(camera_id=config.camera_id, ended_at__isnull=False)
    recordings = Recording.objects.filter(camera_id=config.camera_id).exclude(state="recording")
    removed = _prune(events, config, now) + _prune(recordings, config, now)
    if removed:
        logger.info("camera %s: retention deleted %d events/recordings", config.camera_id, removed)
    return removed
