"""Recorded ranges ("runs") of contiguous segments, kept in each segment's ``joins`` flag.

A segment *joins* when it starts where the camera's previous segment ended (within
``CONTIGUOUS``). The writer sets the flag when it opens a segment; deleting segments
(retention, budget) re-checks the segment after each deleted one. The timeline then reads
only range starts (a partial index) and one end per range: its cost grows with the number
of ranges, not with the number of segments.
"""

from __future__ import annotations

from collections.abc import Iterable

CONTIGUOUS = 1.5
"""Seconds between two segments still counted as one recorded range (a late keyframe)."""


def joins_previous(camera_id: str, start: float, exclude: int | None = None) -> bool:
    """Return True when the camera's segment before ``start`` ends within CONTIGUOUS of it."""
    from livecam.recording.models import Segment

    before = Segment.objects.filter(camera_id=camera_id, start__lt=start)
    if exclude is not None:
        before = before.exclude(pk=exclude)
    end = before.order_by("-start", "-id").values_list("end", flat=True).first()
    return end is not None and end >= start - CONTIGUOUS


def repair(camera_id: str, deleted_ends: Iterable[float]) -> None:
    """Re-check the segments that followed deleted ones (the range they were in may be cut)."""
    from livecam.recording.models import Segment

    mine = Segment.objects.filter(camera_id=camera_id)
    seen: set[int] = set()
    for end in sorted(set(deleted_ends)):
        row = (
            mine.filter(start__gte=end - CONTIGUOUS, joins=True)
            .order_by("start", "id")
            .values_list("id", "start")
            .first()
        )
        if row is None or row[0] in seen:
            continue
        seen.add(row[0])
        if not joins_previous(camera_id, row[1], exclude=row[0]):
            mine.filter(pk=row[0]).update(joins=False)
