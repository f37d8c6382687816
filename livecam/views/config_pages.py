"""The configuration page for admins: download the configuration, or upload one to import."""

from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from livecam.bus import ControlMessage, get_bus
from livecam.cameras.config_io import ConfigError, export_config, import_config
from livecam.views.camera_pages import refuse_management
from livecam.views.cameras_api import may_manage

MAX_UPLOAD = 2 * 1024 * 1024
"""Bytes a configuration file may have (thousands of cameras fit)."""


async def _page(request: HttpRequest, problems: list[str]) -> HttpResponse:
    """Render the page; a refused file comes back with 200 and its problems listed."""
    response: HttpResponse = await sync_to_async(render)(
        request, "livecam/config.html", {"problems": problems}
    )
    return response


@require_http_methods(["GET", "POST"])
async def config_page(request: HttpRequest) -> HttpResponse:
    """Show the page, or import an uploaded configuration (all or nothing)."""
    if not await may_manage(request):
        return await refuse_management(request)
    if request.method == "GET":
        return await _page(request, [])
    upload = request.FILES.get("file")
    if upload is None:
        return await _page(request, [_("Choose a file.")])
    if upload.size is None or upload.size > MAX_UPLOAD:
        return await _page(request, [_("The file is too large.")])
    try:
        data = json.loads(upload.read())
        ids = await sync_to_async(import_config)(data)
    except ValueError as exc:
        problems = exc.problems if isinstance(exc, ConfigError) else [_("Not a JSON file.")]
        return await _page(request, problems)
    for camera_id in ids:
        await get_bus().send_control(ControlMessage("changed", camera_id))
    text = _("Imported %(count)s camera(s).") % {"count": len(ids)}
    await sync_to_async(messages.success)(request, text)
    return HttpResponseRedirect(reverse("livecam:config"), status=303)


@require_GET
async def config_export(request: HttpRequest) -> HttpResponse:
    """Download the configuration as livecam.json."""
    if not await may_manage(request):
        return await refuse_management(request)
    data = await sync_to_async(export_config)()
    response = HttpResponse(
        json.dumps(data, indent=2, sort_keys=True), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="livecam.json"'
    response["Cache-Control"] = "no-store"
    return response
