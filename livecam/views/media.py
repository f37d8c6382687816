"""Motion events and recordings in the browser: the media page, snapshots, MP4 files, forms."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from livecam import control
from livecam.motion import files
from livecam.motion.models import MotionEvent, MotionSettings
from livecam.motion.serialize import event_json, recording_json
from livecam.recording.control import set_recording
from livecam.recording.models import Recording
from livecam.views.access import get_visible_camera, may_switch
from livecam.views.pages import _message, _render

_CHUNK = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_PAGE_ITEMS = 100


async def _may(request: HttpRequest, permission: str) -> bool:
    user: Any = await request.auser()
    allowed: bool = await user.ahas_perm(permission)
    return allowed


@require_GET
async def media_page(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Show a camera's motion events (with thumbnails) and recordings (with a player)."""
    camera = await get_visible_camera(request, camera_id)
    events = MotionEvent.objects.filter(camera_id=camera.id).order_by("-started_at", "-id")
    recordings = Recording.objects.filter(camera_id=camera.id).order_by("-started_at", "-id")
    settings = await MotionSettings.objects.filter(camera_id=camera.id).afirst()
    context = {
        "camera": control.describe(camera),
        "events": [
            {**event_json(e), "started": e.started_at, "peak_percent": e.peak_area * 100}
            async for e in events[:_PAGE_ITEMS]
        ],
        "recordings": [
            {**recording_json(r), "started": r.started_at} async for r in recordings[:_PAGE_ITEMS]
        ],
        "settings": settings or MotionSettings(camera_id=camera.id),
        "may_record": await may_switch(request),
        "may_delete": await _may(request, "livecam.delete_recording"),
    }
    return await _render(request, "livecam/media.html", context)


@require_POST
async def record(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Record/Stop from the form field ``state=start|stop`` (operators); 303 back."""
    camera = await get_visible_camera(request, camera_id)
    state = request.POST.get("state", "")
    if state not in ("start", "stop"):
        return HttpResponse(
            _("state must be 'start' or 'stop'"), status=400, content_type="text/plain"
        )
    if not await may_switch(request):
        return HttpResponse(_("You may not record."), status=403, content_type="text/plain")
    await set_recording(camera.id, state == "start")
    text = _("Recording %(camera)s.") if state == "start" else _("Stopped recording %(camera)s.")
    await _message(request, text % {"camera": camera.title})
    return HttpResponseRedirect(reverse("livecam:media", args=[camera.id]), status=303)


@require_POST
async def delete_recording(request: HttpRequest, camera_id: str, recording_id: int) -> HttpResponse:
    """Delete a finished recording and its file (admins); 303 back."""
    camera = await get_visible_camera(request, camera_id)
    if not await _may(request, "livecam.delete_recording"):
        return HttpResponse(
            _("You may not delete recordings."), status=403, content_type="text/plain"
        )
    row = await Recording.objects.filter(camera_id=camera.id, pk=recording_id).afirst()
    if row is None:
        raise Http404("no such recording")
    if row.state == "recording":
        return HttpResponse(_("Stop the recording first."), status=409, content_type="text/plain")
    await row.adelete()
    await _message(request, _("Recording deleted."))
    return HttpResponseRedirect(reverse("livecam:media", args=[camera.id]), status=303)


@require_GET
async def event_snapshot(request: HttpRequest, camera_id: str, event_id: int) -> HttpResponse:
    """Return the snapshot JPEG of a motion event."""
    camera = await get_visible_camera(request, camera_id)
    row = await MotionEvent.objects.filter(camera_id=camera.id, pk=event_id).afirst()
    path = files.resolve(row.snapshot) if row is not None else None
    if path is None or not path.is_file():
        raise Http404("no such snapshot")
    data = await asyncio.to_thread(path.read_bytes)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
async def recording_file(
    request: HttpRequest, camera_id: str, recording_id: int
) -> HttpResponse | StreamingHttpResponse:
    """Serve a recording's MP4, with byte ranges so the browser's player can seek."""
    camera = await get_visible_camera(request, camera_id)
    row = await Recording.objects.filter(camera_id=camera.id, pk=recording_id).afirst()
    path = files.resolve(row.file) if row is not None and row.state == "done" else None
    if row is None or path is None or not path.is_file():
        raise Http404("no such recording")
    size = path.stat().st_size
    start, end = 0, size - 1
    status = 200
    match = _RANGE.fullmatch(request.headers.get("Range", "").strip())
    if match and (match[1] or match[2]):
        if match[1]:
            start, end = int(match[1]), min(int(match[2] or size - 1), size - 1)
        else:  # "bytes=-N": the last N bytes
            start = max(0, size - int(match[2]))
        if start > end or start >= size:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        status = 206
    response = StreamingHttpResponse(
        _read(path, start, end - start + 1), status=status, content_type="video/mp4"
    )
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    name = f"{camera.id}-{row.started_at:%Y%m%d-%H%M%S}.mp4"
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


async def _read(path: Path, start: int, length: int) -> AsyncIterator[bytes]:
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        await asyncio.to_thread(handle.seek, start)
        while length > 0:
            chunk = await asyncio.to_thread(handle.read, min(_CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()
