"""HTML pages: the dashboard, one camera, and the no-JavaScript ON/OFF form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from livecam import control
from livecam.views.access import get_visible_camera, may_switch, visible_cameras


@require_GET
async def dashboard(request: HttpRequest) -> HttpResponse:
    """Show every camera the user may see, live, with ON/OFF buttons."""
    cameras = [control.describe(camera) for camera in await visible_cameras(request)]
    context = {"cameras": cameras, "may_switch": await may_switch(request)}
    return await _render(request, "livecam/dashboard.html", context)


@require_GET
async def camera_detail(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Show one camera full size."""
    camera = await get_visible_camera(request, camera_id)
    context = {"camera": control.describe(camera), "may_switch": await may_switch(request)}
    return await _render(request, "livecam/camera.html", context)


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
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("livecam:dashboard")
    return HttpResponseRedirect(target, status=303)


async def _render(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    from asgiref.sync import sync_to_async

    # Template rendering touches the session (messages) and auth context: run it off the loop.
    response: HttpResponse = await sync_to_async(render)(request, template, context)
    return response


async def _message(request: HttpRequest, text: str) -> None:
    from asgiref.sync import sync_to_async

    await sync_to_async(messages.success)(request, text)
