"""Who may see and switch which camera: the one check every view uses."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from livecam.models import Camera

SWITCH_PERMISSION = "livecam.switch_camera"


async def visible_cameras(request: HttpRequest) -> list[Camera]:
    """Return the cameras this request's user may see."""
    return [camera async for camera in Camera.objects.all()]


async def get_visible_camera(request: HttpRequest, camera_id: str) -> Camera:
    """Return the camera, or raise Http404 when it does not exist or is not visible."""
    camera = await Camera.objects.filter(pk=camera_id).afirst()
    if camera is None:
        raise Http404("no such camera")
    return camera


async def may_switch(request: HttpRequest) -> bool:
    """Return True when the user may switch cameras ON and OFF."""
    user: Any = await request.auser()
    allowed: bool = await user.ahas_perm(SWITCH_PERMISSION)
    return allowed


async def may_configure(request: HttpRequest) -> bool:
    """Return True when the user may change camera settings (operators and admins)."""
    user: Any = await request.auser()
    allowed: bool = await user.ahas_perm("livecam.change_camera") or await user.ahas_perm(
        SWITCH_PERMISSION
    )
    return allowed
