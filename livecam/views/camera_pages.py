"""livecam's own pages for admins: add, edit and remove cameras (with a source Test button)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from livecam import conf
from livecam.cameras import service
from livecam.cameras.forms import CameraForm
from livecam.cameras.validation import CameraInvalidError
from livecam.models import Camera
from livecam.views.access import get_visible_camera
from livecam.views.cameras_api import may_manage
from livecam.views.pages import refuse


async def refuse_management(request: HttpRequest) -> HttpResponse:
    """Answer a non-admin's request to manage cameras with the themed 403 page."""
    return await refuse(request, 403, _("Only admins may manage cameras."))


async def _page(request: HttpRequest, form: CameraForm, camera: Camera | None) -> HttpResponse:
    """Render the form; a rejected one comes back with 200 and its errors, as Django's do."""
    context = {"form": form, "camera": camera, "file_dirs": conf.get("FILE_DIRS") or []}
    response: HttpResponse = await sync_to_async(render)(
        request, "livecam/camera_form.html", context
    )
    return response


@require_http_methods(["GET", "POST"])
async def camera_add(request: HttpRequest) -> HttpResponse:
    """Show the add-camera form, or add the camera it sends."""
    if not await may_manage(request, "add"):
        return await refuse_management(request)
    if request.method == "GET":
        return await _page(request, CameraForm(), None)
    form = CameraForm(request.POST)
    if not await sync_to_async(form.is_valid)():
        return await _page(request, form, None)
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        camera = await service.acreate(fields)
    except (CameraInvalidError, service.CameraExistsError) as exc:
        form.add_error("id" if isinstance(exc, LookupError) else None, str(exc))
        return await _page(request, form, None)
    await sync_to_async(messages.success)(request, _("Camera %(id)s added.") % {"id": camera.id})
    return HttpResponseRedirect(reverse("livecam:camera", args=[camera.id]), status=303)


@require_http_methods(["GET", "POST"])
async def camera_edit(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Show the edit form of a camera, or save the fields that changed."""
    camera = await get_visible_camera(request, camera_id)
    if not await may_manage(request):
        return await refuse_management(request)
    if request.method == "GET":
        return await _page(request, CameraForm(instance=camera), camera)
    form = CameraForm(request.POST, instance=camera)
    if not await sync_to_async(form.is_valid)():
        return await _page(request, form, camera)
    # Only what this admin changed: another admin's change of other fields is kept.
    changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "id"}
    try:
        await service.aupdate(camera.id, changes)
    except CameraInvalidError as exc:
        for field, reasons in exc.problems.items():
            form.add_error(field if field in form.fields else None, " ".join(reasons))
        return await _page(request, form, camera)
    await sync_to_async(messages.success)(request, _("Camera %(id)s saved.") % {"id": camera.id})
    return HttpResponseRedirect(reverse("livecam:camera", args=[camera.id]), status=303)


@require_http_methods(["GET", "POST"])
async def camera_remove(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Ask for confirmation, then remove the camera (its streams and recordings end)."""
    camera = await get_visible_camera(request, camera_id)
    if not await may_manage(request, "delete"):
        return await refuse_management(request)
    if request.method == "GET":
        page: HttpResponse = await sync_to_async(render)(
            request, "livecam/camera_remove.html", {"camera": camera}
        )
        return page
    try:
        await service.aremove(camera.id)
    except service.CameraMissingError:
        pass  # removed meanwhile: the wish is fulfilled
    await sync_to_async(messages.success)(request, _("Camera %(id)s removed.") % {"id": camera.id})
    return HttpResponseRedirect(reverse("livecam:dashboard"), status=303)
