"""HTML pages: the dashboard, one camera with its settings, and the no-JavaScript ON/OFF forms."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from livecam import control
from livecam.forms import CameraSettingsForm
from livecam.models import Camera
from livecam.views.access import get_visible_camera, may_configure, may_switch, visible_cameras

STREAM_TILES_MAX = 4
"""Dashboards with more cameras get every tile's pictures over one tile stream (tiles.mjpg)
instead of one MJPEG stream per tile: HTTP/1.1 browsers open at most six connections per host,
and the events stream and the ON/OFF requests need some of them."""


@require_GET
async def dashboard(request: HttpRequest) -> HttpResponse:
    """Show every camera the user may see, live, with ON/OFF buttons."""
    cameras = [control.describe(camera) for camera in await visible_cameras(request)]
    context = {
        "cameras": cameras,
        "may_switch": await may_switch(request),
        "tile_mode": "stream" if len(cameras) <= STREAM_TILES_MAX else "tiles",
        "online_count": sum(1 for camera in cameras if camera["online"]),
    }
    return await _render(request, "livecam/dashboard.html", context)


@require_GET
async def camera_detail(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Show one camera full size, its details and (for operators) its settings."""
    camera = await get_visible_camera(request, camera_id)
    form = CameraSettingsForm(instance=camera) if await may_configure(request) else None
    return await _camera_page(request, camera, form)


@require_POST
async def camera_settings(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Save a camera's settings; errors are shown inline on the camera page (400)."""
    camera = await get_visible_camera(request, camera_id)
    if not await may_configure(request):
        return HttpResponse(
            _("You may not change camera settings."), status=403, content_type="text/plain"
        )
    form = CameraSettingsForm(request.POST, instance=camera)
    if not await sync_to_async(form.is_valid)():
        return await _camera_page(request, camera, form, status=400)
    changed = form.save(commit=False)
    # Only the form's fields: an ON/OFF switched meanwhile must not be overwritten.
    fields = [*form.Meta.fields, "updated_at"]
    await changed.asave(update_fields=fields)
    await control.settings_changed(camera.id)
    await _message(request, _("Settings of %(camera)s saved.") % {"camera": camera.title})
    return HttpResponseRedirect(reverse("livecam:camera", args=[camera.id]), status=303)


@require_POST
async def power(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Switch a camera from the form field ``state=on|off``; 303 back to the page."""
    camera = await get_visible_camera(request, camera_id)
    state = request.POST.get("state", "")
    if state not in ("on", "off"):
        return HttpResponse(_("state must be 'on' or 'off'"), status=400, content_type="text/plain")
    if not await may_switch(request):
        return HttpResponse(_("You may not switch cameras."), status=403, content_type="text/plain")
    await control.set_enabled(camera.id, state == "on")
    text = _("%(camera)s switched on.") if state == "on" else _("%(camera)s switched off.")
    await _message(request, text % {"camera": camera.title})
    return _back(request)


@require_POST
async def power_all(request: HttpRequest) -> HttpResponse:
    """Switch every visible camera ON or OFF (``state=on|off``); 303 back to the page."""
    state = request.POST.get("state", "")
    if state not in ("on", "off"):
        return HttpResponse(_("state must be 'on' or 'off'"), status=400, content_type="text/plain")
    if not await may_switch(request):
        return HttpResponse(_("You may not switch cameras."), status=403, content_type="text/plain")
    cameras = await visible_cameras(request)
    for camera in cameras:
        await control.set_enabled(camera.id, state == "on")
    text = _("All cameras switched on.") if state == "on" else _("All cameras switched off.")
    await _message(request, text)
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("livecam:dashboard")
    return HttpResponseRedirect(target, status=303)


async def _camera_page(
    request: HttpRequest, camera: Camera, form: CameraSettingsForm | None, status: int = 200
) -> HttpResponse:
    context = {
        "camera": control.describe(camera),
        "config": camera,
        "source_kind": camera.source.split(":", 1)[0],
        "may_switch": await may_switch(request),
        "form": form,
    }
    return await _render(request, "livecam/camera.html", context, status)


async def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # Template rendering touches the session (messages) and auth context: run it off the loop.
    response: HttpResponse = await sync_to_async(render)(request, template, context, status=status)
    return response


async def _message(request: HttpRequest, text: str) -> None:
    await sync_to_async(messages.success)(request, text)
