"""Motion events and recordings in the browser: the media page, snapshots, MP4 files, forms."""

from __future__ import annotations

import asyncio
import re

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

from livecam import conf, control
from livecam.dates import absolute
from livecam.errors import NotFound
from livecam.motion import files
from livecam.motion.models import MotionEvent, MotionSettings
from livecam.motion.serialize import event_json, recording_json
from livecam.recording.control import set_recording
from livecam.recording.models import Recording
from livecam.views.access import get_visible_camera, may_switch
from livecam.views.media_api import ADMIN_PERMISSION, may
from livecam.views.pages import _message, _render, confirm_page
from livecam.views.pages import refuse as _refuse
from livecam.views.ranges import serve_file

_CHUNK = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_PAGE_ITEMS = 100


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
        "may_delete": await may(request, ADMIN_PERMISSION),
        "clip_max_seconds": conf.get("CLIP_MAX_SECONDS"),
    }
    return await _render(request, "livecam/media.html", context)


@require_POST
async def record(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Record/Stop from the form field ``state=start|stop`` (operators); 303 back."""
    camera = await get_visible_camera(request, camera_id)
    state = request.POST.get("state", "")
    if state not in ("start", "stop"):
        return await _refuse(request, 400, _("state must be 'start' or 'stop'"))
    if not await may_switch(request):
        return await _refuse(request, 403, _("You may not record."))
    await set_recording(camera.id, state == "start")
    text = _("Recording %(camera)s.") if state == "start" else _("Stopped recording %(camera)s.")
    await _message(request, text % {"camera": camera.title})
    return HttpResponseRedirect(reverse("livecam:media", args=[camera.id]), status=303)


@require_POST
async def delete_recording(request: HttpRequest, camera_id: str, recording_id: int) -> HttpResponse:
    """Delete a finished recording and its file (admins) once confirmed; 303 back."""
    camera = await get_visible_camera(request, camera_id)
    if not await may(request, ADMIN_PERMISSION):
        return await _refuse(request, 403, _("You may not delete recordings."))
    row = await Recording.objects.filter(camera_id=camera.id, pk=recording_id).afirst()
    if row is None:
        raise Http404("no such recording")
    if row.state == "recording":
        return await _refuse(request, 409, _("Stop the recording first."))
    back = reverse("livecam:media", args=[camera.id])
    if request.POST.get("confirm") != "yes":  # the page's script asks in place and says yes
        return await confirm_page(
            request,
            question=_("Delete the recording of %(when)s?") % {"when": absolute(row.started_at)},
            explain=_("The recording and its file are removed for good."),
            action=request.path,
            fields={},
            button=_("Delete"),
            cancel=back,
        )
    await row.adelete()
    await _message(request, _("Recording deleted."))
    return HttpResponseRedirect(back, status=303)


@require_GET
async def event_snapshot(request: HttpRequest, camera_id: str, event_id: int) -> HttpResponse:
    """Return the snapshot JPEG of a motion event."""
    camera = await get_visible_camera(request, camera_id)
    row = await MotionEvent.objects.filter(camera_id=camera.id, pk=event_id).afirst()
    path = files.resolve(row.snapshot) if row is not None else None
    if path is None or not path.is_file():
        raise NotFound("no such snapshot")
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
        raise NotFound("no such recording")
    name = f"{camera.id}-{row.started_at:%Y%m%d-%H%M%S}.mp4"
    return serve_file(request, path, "video/mp4", name, bool(request.GET.get("download")))
