"""Continuous recording over HTTP: the timeline API, clip.mp4 and single segments."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from livecam import conf
from livecam.errors import NotFound, json_error
from livecam.motion import files
from livecam.recording import clip, timeline
from livecam.recording.models import Segment
from livecam.recording.times import parse_time
from livecam.views.access import get_visible_camera
from livecam.views.ranges import serve_file

router = Router(tags=["continuous recording"])


class SpanOut(Schema):
    """A stretch of time in Unix seconds."""

    start: float
    end: float


class SegmentOut(Schema):
    """One segment; ``url`` once it is finished (none while ``writing``)."""

    id: int
    start: float
    end: float = Field(description="Capture time after its last picture; while writing: last known")
    bytes: int
    frames: int
    writing: bool
    url: str | None = None


class EventSpanOut(Schema):
    """A motion event on the timeline (``end`` null while it is open)."""

    id: int
    start: float
    end: float | None
    kind: str = Field(description='"motion"')
    peak_area: float
    snapshot_url: str | None = None


class ContinuousStateOut(Schema):
    """The camera's continuous recording state."""

    state: str = Field(description='"off", "recording", "scheduled-idle" or "paused"')
    reason: str = Field(description="Why it is paused (e.g. disk full)")


class TimelineOut(Schema):
    """Recorded ranges, gaps, segments and motion events of a camera over [start, end]."""

    camera: str
    start: float
    end: float
    now: float
    ranges: list[SpanOut] = Field(description="Recorded time, contiguous segments merged")
    gaps: list[SpanOut] = Field(description="The parts of [start, end] not recorded")
    segments: list[SegmentOut] = Field(description="The newest ``limit`` segments in the range")
    segments_truncated: bool = Field(description="True when more segments fall in the range")
    events: list[EventSpanOut]
    recording: ContinuousStateOut


class TimelineErrorOut(Schema):
    """An error with a human-readable reason."""

    detail: str


MAX_SPAN = 31 * 86400.0
"""Longest range one timeline query may cover (seconds)."""
_DEFAULT_SPAN = 86400.0
_LIMIT, _MAX_LIMIT = 500, 5000


def _range(request: HttpRequest, default_span: float | None) -> tuple[float, float]:
    """Return (start, end) from the query; ValueError with a reason when bad."""
    query = request.GET
    if default_span is None and ("start" not in query or "end" not in query):
        raise ValueError("start and end are required")
    given: dict[str, float] = {}
    problems = []
    for name in ("start", "end"):  # every bad one is named, not just the first
        if name in query:
            try:
                given[name] = parse_time(query[name], name)
            except ValueError as exc:
                problems.append(str(exc))
    if problems:
        raise ValueError("; ".join(problems))
    end = given.get("end", time.time())
    start = given.get("start", end - (default_span or 0))
    if end <= start:
        raise ValueError("end must be after start")
    return start, end


def _timeline(camera_id: str, start: float, end: float, limit: int) -> dict[str, Any]:
    ranges = timeline.ranges(camera_id, start, end)
    rows, truncated = timeline.segments(camera_id, start, end, limit)
    now = time.time()
    prefix = reverse("livecam:segment", args=[camera_id, 0]).removesuffix("0.mp4")
    segments = []
    for pk, begun, ended, size, frames, writing in rows:
        item: dict[str, Any] = {
            "id": pk,
            "start": begun,
            "end": ended,
            "bytes": size,
            "frames": frames,
            "writing": writing,
        }
        if not writing:
            item["url"] = f"{prefix}{pk}.mp4"  # one reverse() for 500 segments
        segments.append(item)
    events = timeline.events(camera_id, start, end, _MAX_LIMIT)
    for event in events:
        if event.pop("has_snapshot"):
            event["snapshot_url"] = reverse("livecam:event_snapshot", args=[camera_id, event["id"]])
    return {
        "camera": camera_id,
        "start": start,
        "end": end,
        "now": now,
        "ranges": [{"start": a, "end": b} for a, b in ranges],
        "gaps": [{"start": a, "end": b} for a, b in timeline.gaps(ranges, start, end)],
        "segments": segments,
        "segments_truncated": truncated,
        "events": events,
    }


@router.get(
    "/{camera_id}/timeline",
    response={
        200: TimelineOut,
        400: TimelineErrorOut,
        401: TimelineErrorOut,
        404: TimelineErrorOut,
    },
    summary="Recorded ranges, segments, gaps and motion events",
)
async def get_timeline(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Return a camera's timeline over ``start``..``end`` (Unix seconds or ISO 8601).

    Defaults: the last day. At most 31 days. ``limit`` caps the segment list (newest kept).
    """
    camera = await get_visible_camera(request, camera_id)
    try:
        start, end = _range(request, _DEFAULT_SPAN)
        limit = int(request.GET.get("limit", _LIMIT))
    except ValueError as exc:
        raise HttpError(
            400, str(exc) if "limit" not in str(exc) else "limit: not a number"
        ) from None
    if end - start > MAX_SPAN:
        raise HttpError(400, "the range is longer than 31 days")
    if not 0 <= limit <= _MAX_LIMIT:
        raise HttpError(400, f"limit: 0 to {_MAX_LIMIT}")
    data = await sync_to_async(_timeline)(camera.id, start, end, limit)
    from livecam import control

    state = control.describe(camera)
    data["recording"] = {"state": state["continuous"], "reason": state["continuous_reason"]}
    return data


@require_GET
async def clip_mp4(request: HttpRequest, camera_id: str) -> HttpResponse | StreamingHttpResponse:
    """Serve one MP4 of ``start``..``end``, remuxed from the segments (no re-encode)."""
    camera = await get_visible_camera(request, camera_id)
    try:
        start, end = _range(request, None)
    except ValueError as exc:
        return json_error(400, str(exc))
    longest = float(conf.get("CLIP_MAX_SECONDS"))
    if end - start > longest:
        return json_error(400, f"the range is longer than {longest:g} seconds")
    made = await asyncio.to_thread(_export, camera.id, start, end)
    if made is None:
        raise NotFound("nothing was recorded in this range")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(made.start))
    inline = request.GET.get("inline") == "1"
    name = f"{camera.id}-{stamp}-{round(made.end - made.start)}s.mp4"
    return serve_file(request, made.path, "video/mp4", name, attachment=not inline)


def _export(camera_id: str, start: float, end: float) -> clip.Clip | None:
    from django.db import close_old_connections

    try:
        return clip.export(camera_id, start, end)
    finally:
        close_old_connections()


@require_GET
async def segment_mp4(
    request: HttpRequest, camera_id: str, segment_id: int
) -> HttpResponse | StreamingHttpResponse:
    """Serve one finished segment as stored (fragmented MP4), with byte ranges."""
    camera = await get_visible_camera(request, camera_id)
    row = await Segment.objects.filter(camera_id=camera.id, pk=segment_id, writing=False).afirst()
    path = files.resolve(row.path) if row is not None else None
    if row is None or path is None or not path.is_file():
        raise NotFound("no such segment")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(row.start))
    return serve_file(request, path, "video/mp4", f"{camera.id}-{stamp}.mp4", attachment=False)
