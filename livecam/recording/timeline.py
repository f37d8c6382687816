"""The timeline of a camera: recorded ranges, segments and motion events over a time range.

Built for long ranges: a recorded range is read as its first segment (a partial index of the
segments that do not join the previous one, `livecam.recording.runs`) and the end of its last,
so 30 days of one-minute segments cost a few index lookups per range, never a scan of 43,200
rows; the segment list is capped.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection

from livecam.recording.models import Segment

# Range starts come from the partial index (segments that do not join the previous one);
# each range ends with the last segment before the next range start (or before ``end``).
_RANGES_SQL = """
SELECT r.{start}, (
  SELECT s.{end} FROM {table} s
  WHERE s.camera_id = %(camera)s AND s.{start} < COALESCE((
    SELECT MIN(n.{start}) FROM {table} n
    WHERE n.camera_id = %(camera)s AND NOT n.joins AND n.{start} > r.{start}
  ), %(until)s)
  ORDER BY s.{start} DESC LIMIT 1
) FROM {table} r
WHERE r.camera_id = %(camera)s AND NOT r.joins AND r.{start} < %(until)s
  AND r.{start} >= COALESCE((
    SELECT MAX(p.{start}) FROM {table} p
    WHERE p.camera_id = %(camera)s AND NOT p.joins AND p.{start} <= %(since)s
  ), %(since)s)
ORDER BY r.{start}
"""


def ranges(camera_id: str, start: float, end: float) -> list[tuple[float, float]]:
    """Return the recorded ranges overlapping [start, end], clipped to it."""
    quote = connection.ops.quote_name
    sql = _RANGES_SQL.format(
        table=quote(Segment._meta.db_table), start=quote("start"), end=quote("end")
    )
    params: dict[str, str | float | bool] = {
        "camera": camera_id,
        "since": start,
        "until": end,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(max(start, a), min(end, b)) for a, b in rows if b is not None and b > start]


def gaps(ranges: list[tuple[float, float]], start: float, end: float) -> list[tuple[float, float]]:
    """Return the parts of [start, end] not covered by ``ranges`` (sorted, not overlapping)."""
    found, at = [], start
    for a, b in ranges:
        if a > at:
            found.append((at, a))
        at = max(at, b)
    if at < end:
        found.append((at, end))
    return found


def segments(camera_id: str, start: float, end: float, limit: int) -> tuple[list[Any], bool]:
    """Return up to ``limit`` segments in the range (the newest), and if there were more."""
    rows = list(
        Segment.objects.filter(camera_id=camera_id, start__lt=end, end__gt=start)
        .order_by("-start", "-id")
        .values_list("id", "start", "end", "bytes", "frames", "writing")[: limit + 1]
    )
    return rows[:limit][::-1], len(rows) > limit


def events(camera_id: str, start: float, end: float, limit: int) -> list[dict[str, Any]]:
    """Return the motion events overlapping the range (at most ``limit``, the newest)."""
    from django.db.models import Q

    from livecam.motion.models import MotionEvent

    since, until = _utc(start), _utc(end)
    rows = (
        MotionEvent.objects.filter(camera_id=camera_id, started_at__lt=until)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since))
        .order_by("-started_at")
        .values_list("id", "started_at", "ended_at", "peak_area", "snapshot")[:limit]
    )
    return [
        {
            "id": pk,
            "start": begun.timestamp(),
            "end": ended.timestamp() if ended else None,
            "kind": "motion",
            "peak_area": peak,
            "has_snapshot": bool(snapshot),
        }
        for pk, begun, ended, peak, snapshot in reversed(list(rows))
    ]


def _utc(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC)


def now() -> float:
    """Return the current Unix time (the default end of a timeline query)."""
    return time.time()
