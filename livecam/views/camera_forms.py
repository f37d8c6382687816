"""The camera page's forms: camera settings and motion/recording settings, Post/Redirect/Get.

A save answers 303 back to the camera page whether it succeeded or not, so reloading never
sends the form again. A rejected form's input waits in the session for that next page, which
shows it with the errors by the fields, while the details show the values actually saved.
"""

from __future__ import annotations

import copy
from typing import Any

from asgiref.sync import sync_to_async
from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from livecam import control
from livecam.forms import CameraSettingsForm, MotionSettingsForm
from livecam.models import Camera
from livecam.motion.models import MotionSettings
from livecam.views.access import get_visible_camera, may_configure
from livecam.views.media_api import ADMIN_PERMISSION, may

_KEY = "livecam:rejected:{form}:{camera}"
_MAX_VALUE = 600  # characters kept of a rejected value (the longest field takes 500)


async def _keep_rejected(
    request: HttpRequest, form: forms.BaseForm, name: str, camera_id: str
) -> None:
    # Only the form's own fields, each value cut short: the session is no place for a body.
    data = {k: [v[:_MAX_VALUE] for v in request.POST.getlist(k)][:1] for k in form.fields}
    await request.session.aset(_KEY.format(form=name, camera=camera_id), data)


async def _take_rejected(request: HttpRequest, form: str, camera_id: str) -> dict[str, Any] | None:
    data: dict[str, Any] | None = await request.session.apop(
        _KEY.format(form=form, camera=camera_id), None
    )
    return data


def _bound(data: dict[str, Any]) -> Any:
    from django.http import QueryDict

    bound = QueryDict(mutable=True)
    for key, values in data.items():
        bound.setlist(key, values)
    return bound


async def _validated(form: forms.BaseForm) -> bool:
    valid: bool = await sync_to_async(form.is_valid)()
    return valid


def _back(camera_id: str, anchor: str) -> HttpResponse:
    url = reverse("livecam:camera", args=[camera_id]) + anchor
    return HttpResponseRedirect(url, status=303)


async def camera_settings_form(request: HttpRequest, camera: Camera) -> CameraSettingsForm | None:
    """Return the settings form for the camera page: empty, or the rejected input with errors."""
    if not await may_configure(request):
        return None
    data = await _take_rejected(request, "settings", camera.id)
    if data is None:
        return CameraSettingsForm(instance=camera)
    # A copy: validation writes the typed values into the instance, and the page's details
    # must keep showing the saved ones.
    form = CameraSettingsForm(_bound(data), instance=copy.copy(camera))
    await _validated(form)
    return form


async def motion_settings_form(
    request: HttpRequest, camera: Camera
) -> tuple[MotionSettings, MotionSettingsForm | None]:
    """Return the camera's saved motion settings, and a form for admins."""
    saved = await MotionSettings.objects.filter(camera_id=camera.id).afirst()
    saved = saved or MotionSettings(camera_id=camera.id)
    if not await may(request, ADMIN_PERMISSION):
        return saved, None
    data = await _take_rejected(request, "motion", camera.id)
    if data is None:
        return saved, MotionSettingsForm(instance=saved)
    form = MotionSettingsForm(_bound(data), instance=copy.copy(saved))
    await _validated(form)
    return saved, form


@require_POST
async def camera_settings(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Save a camera's settings; 303 back to the camera page (errors shown there)."""
    from livecam.views.pages import _message, refuse

    camera = await get_visible_camera(request, camera_id)
    if not await may_configure(request):
        return await refuse(request, 403, _("You may not change camera settings."))
    form = CameraSettingsForm(request.POST, instance=camera)
    if not await _validated(form):
        await _keep_rejected(request, form, "settings", camera.id)
        return _back(camera.id, "#settings-title")
    changed = form.save(commit=False)
    # Only the form's fields: an ON/OFF switched meanwhile must not be overwritten.
    await changed.asave(update_fields=[*form.Meta.fields, "updated_at"])
    await control.settings_changed(camera.id)
    await _message(request, _("Settings of %(camera)s saved.") % {"camera": camera.title})
    return _back(camera.id, "")


@require_POST
async def motion_settings(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Save a camera's motion and recording settings (admins); 303 back to the camera page."""
    from livecam.views.pages import _message, refuse

    camera = await get_visible_camera(request, camera_id)
    if not await may(request, ADMIN_PERMISSION):
        return await refuse(request, 403, _("Only admins may change motion settings."))
    saved, _created = await MotionSettings.objects.aget_or_create(camera_id=camera.id)
    form = MotionSettingsForm(request.POST, instance=saved)
    if not await _validated(form):
        await _keep_rejected(request, form, "motion", camera.id)
        return _back(camera.id, "#motion-title")
    changed = form.save(commit=False)
    await changed.asave(update_fields=list(form.Meta.fields))
    await control.settings_changed(camera.id)  # capture re-reads, without reopening
    await _message(request, _("Motion settings of %(camera)s saved.") % {"camera": camera.title})
    return _back(camera.id, "#motion-title")
