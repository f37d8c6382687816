"""Retention of segments: per-camera and global disk budgets, a free-space floor, age, count.

The oldest segments go first. Segments marked ``keep`` and segments being written are never
deleted; motion events' snapshots and motion/manual recordings are not segments and are not
touched here (they have their own age/count retention). Deleting a row deletes its file
(`livecam.recording.models`), which never touches a file a process is still writing.
"""

from __future__ import annotations

import errno
import logging
import shutil
import time
from collections import Counter

from django.db.models import QuerySet, Sum

from livecam import conf
from livecam.motion import files
from livecam.recording import counters, runs

logger = logging.getLogger(__name__)

GB = 1_000_000_000
_BATCH = 500


def describe(exc: BaseException) -> str:
    """Return a short reason for a failed write ("disk full" for ENOSPC)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk full"
    if isinstance(exc, OSError) and exc.strerror:
        return f"write error: {exc.strerror}"[:200]
    return f"internal error: {type(exc).__name__}"


def _deletable() -> QuerySet:  # type: ignore[type-arg]
    from livecam.recording.models import Segment

    return Segment.objects.filter(writing=False, keep=False)


def delete_oldest(queryset: QuerySet, need_bytes: int = 0, count: int = 0) -> int:  # type: ignore[type-arg]
    """Delete the oldest segments of ``queryset`` until ``need_bytes`` or ``count`` are freed."""
    freed = deleted = 0
    per_camera: Counter[str] = Counter()
    ends: dict[str, list[float]] = {}
    while freed < need_bytes or deleted < count:
        rows = queryset.order_by("start", "id").values_list("id", "bytes", "camera_id", "end")
        batch = list(rows[:_BATCH])
        if not batch:
            break
        ids = []
        for pk, size, camera_id, end in batch:
            if freed >= need_bytes and deleted >= count:
                break
            ids.append(pk)
            freed += size
            deleted += 1
            per_camera[camera_id] += 1
            ends.setdefault(camera_id, []).append(end)
        queryset.model.objects.filter(id__in=ids).delete()
    for camera_id, cut in ends.items():
        runs.repair(camera_id, cut)  # a range may now start later, or be split
    for camera_id, number in per_camera.items():
        counters.SEGMENTS_DELETED.labels(camera_id).inc(number)
        logger.info("camera %s: retention deleted %d segments", camera_id, number)
    return freed


def _over(queryset: QuerySet, limit_gb: float) -> int:  # type: ignore[type-arg]
    if limit_gb <= 0:
        return 0
    total = queryset.aggregate(total=Sum("bytes"))["total"] or 0
    return max(0, int(total - limit_gb * GB))


def enforce(camera_id: str, max_gb: float) -> None:
    """Apply the camera's budget, the global budget, the count limit and the free-space floor."""
    mine = _deletable().filter(camera_id=camera_id)
    delete_oldest(mine, _over(mine, max_gb))
    delete_oldest(_deletable(), _over(_deletable(), float(conf.get("MEDIA_MAX_GB"))))
    most = int(conf.get("SEGMENT_MAX_COUNT"))
    if most > 0:
        delete_oldest(mine, count=max(0, mine.count() - most))
    make_room(camera_id)


def free_bytes() -> int:
    """Return the free bytes of the media folder's file system."""
    root = files.media_root()
    root.mkdir(parents=True, exist_ok=True)
    return shutil.disk_usage(root).free


def make_room(camera_id: str, need_bytes: int = 0) -> str:
    """Keep the free-space floor (+ ``need_bytes``); return "" or why recording must pause.

    ``LIVECAM_MEDIA_MIN_FREE_GB`` stays free by deleting the oldest segments of any camera.
    """
    floor = int(float(conf.get("MEDIA_MIN_FREE_GB")) * GB) + need_bytes
    missing = floor - free_bytes()
    if missing <= 0:
        return ""
    delete_oldest(_deletable(), missing)
    if free_bytes() >= floor:
        return ""
    return "disk full" if need_bytes else "low disk space"


def clean_by_age(camera_id: str, max_age_days: float) -> int:
    """Delete the camera's segments that ended more than ``max_age_days`` ago (0: keep)."""
    if max_age_days <= 0:
        return 0
    old = _deletable().filter(camera_id=camera_id, end__lt=time.time() - max_age_days * 86400)
    return delete_oldest(old, count=old.count())


def on_disk_full(camera_id: str, max_gb: float) -> int:
    """Free the camera's two oldest segments when a budget allows deleting footage.

    A budget (the camera's, the global one, or a free-space floor) says old footage may go
    to make room; without one nothing is deleted and recording waits for space instead.
    """
    budgeted = max_gb > 0 or float(conf.get("MEDIA_MAX_GB")) > 0
    if not budgeted and float(conf.get("MEDIA_MIN_FREE_GB")) <= 0:
        return 0
    return delete_oldest(_deletable().filter(camera_id=camera_id), count=2)
