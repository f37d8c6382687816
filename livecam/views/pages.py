"""HTML pages: the dashboard, one camera with its settings, and the no-JavaScript ON/OFF forms."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from livecam import control
from livecam.errors.pages import error_page
from livecam.models import Camera
from livecam.views.access import (
    by_label,
    for_person,
    get_visible_camera,
    may_switch,
    sees_sources,
    visible_cameras,
)

STREAM_TILES_MAX = 4
"""Up to this many cameras each dashboard tile plays its own H.264 stream (player_cards.js, MJPEG
as the fallback); with more, every tile's pictures come over one tile stream (tiles.mjpg):
HTTP/1.1 browsers open at most six connections per host, and the events stream and the ON/OFF
requests need some of them (docs/live-video.md, "The dashboard")."""


@require_GET
async def dashboard(request: HttpRequest) -> HttpResponse:
    """Show every camera the user may see, live, with ON/OFF buttons."""
    admin = await sees_sources(request)
    cameras = [
        for_person(control.describe(camera), admin)
        for camera in by_label(await visible_cameras(request))
    ]
    context = {
        "cameras": cameras,
        "may_switch": await may_switch(request),
        "tile_mode": "stream" if len(cameras) <= STREAM_TILES_MAX else "tiles",
        "online_count": sum(1 for camera in cameras if camera["online"]),
    }
    if not cameras:
        context.update(await sync_to_async(_why_empty)(request.user))
    return await _render(request, "livecam/dashboard.html", context)


def _why_empty(user: Any) -> dict[str, Any]:
    """Tell an empty dashboard apart: no role at all, nothing shared, or no camera yet."""
    from django.contrib.auth import get_user_model

    from livecam.access.roles import ADMIN, role_of

    admins = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ADMIN))
        .distinct()
        .order_by("username")
        .values_list("username", flat=True)[:3]
    )
    return {
        "role": role_of(user),
        "admins": list(admins),
        "may_add": user.has_perm("livecam.add_camera"),
    }


@require_GET
async def camera_detail(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Show one camera full size, its details, its settings and motion settings."""
    camera = await get_visible_camera(request, camera_id)
    return await _camera_page(request, camera)


@require_POST
async def power(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Switch a camera from the form field ``state=on|off``; 303 back to the page."""
    camera = await get_visible_camera(request, camera_id)
    state = request.POST.get("state", "")
    if state not in ("on", "off"):
        return await refuse(request, 400, _("state must be 'on' or 'off'"))
    if not await may_switch(request):
        return await refuse(request, 403, _("You may not switch cameras."))
    await control.set_enabled(camera.id, state == "on")
    text = _("%(camera)s switched on.") if state == "on" else _("%(camera)s switched off.")
    await _message(request, text % {"camera": camera.title})
    return _back(request)


@require_POST
async def power_all(request: HttpRequest) -> HttpResponse:
    """Switch every visible camera ON or OFF (``state=on|off``); 303 back to the page.

    OFF needs ``confirm=yes``: without it, the answer is a page that asks (the dashboard's
    script asks in place and sends it).
    """
    state = request.POST.get("state", "")
    if state not in ("on", "off"):
        return await refuse(request, 400, _("state must be 'on' or 'off'"))
    if not await may_switch(request):
        return await refuse(request, 403, _("You may not switch cameras."))
    cameras = await visible_cameras(request)
    if state == "off" and request.POST.get("confirm") != "yes":
        count = len(cameras)
        question = ngettext(
            "Switch off %(count)d camera for everyone?",
            "Switch off all %(count)d cameras for everyone?",
            count,
        ) % {"count": count}
        return await confirm_page(
            request,
            question=question,
            explain=_("Nobody sees these cameras until someone switches them on again."),
            action=reverse("livecam:power_all"),
            fields={"state": "off", "next": request.POST.get("next", "")},
            button=_("Switch all off"),
            cancel=_back(request)["Location"],
        )
    for camera in cameras:
        await control.set_enabled(camera.id, state == "on")
    text = _("All cameras switched on.") if state == "on" else _("All cameras switched off.")
    await _message(request, text)
    return _back(request)


async def confirm_page(
    request: HttpRequest,
    *,
    question: str,
    explain: str,
    action: str,
    fields: dict[str, str],
    button: str,
    cancel: str,
) -> HttpResponse:
    """Ask before a destructive action (the page works without JavaScript)."""
    context = {
        "question": question,
        "explain": explain,
        "action": action,
        "fields": fields,
        "button": button,
        "cancel": cancel,
    }
    return await _render(request, "livecam/confirm.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("livecam:dashboard")
    return HttpResponseRedirect(target, status=303)


async def _camera_page(request: HttpRequest, camera: Camera) -> HttpResponse:
    from livecam.views.camera_forms import camera_settings_form, motion_settings_form

    motion, motion_form = await motion_settings_form(request, camera)
    context = {
        "camera": for_person(control.describe(camera), await sees_sources(request)),
        "config": camera,
        "source_kind": camera.source.split(":", 1)[0],
        "may_switch": await may_switch(request),
        "form": await camera_settings_form(request, camera),
        "motion": motion,
        "motion_form": motion_form,
    }
    return await _render(request, "livecam/camera.html", context)


async def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # Template rendering touches the session (messages) and auth context: run it off the loop.
    response: HttpResponse = await sync_to_async(render)(request, template, context, status=status)
    return response


async def refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """Return the themed error page of a refused form (off the loop, like `_render`)."""
    response: HttpResponse = await sync_to_async(error_page)(request, status, message)
    return response


async def _message(request: HttpRequest, text: str) -> None:
    await sync_to_async(messages.success)(request, text)
