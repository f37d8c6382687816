"""The request side of ``livecam.access``: every view asks here who may see and switch what."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from livecam import access
from livecam.access import Principal
from livecam.models import Camera

NOT_FOUND = "no such camera"
"""The one answer for a camera that is missing or hidden from the user: they look the same."""


async def principal(request: HttpRequest) -> Principal | None:
    """Return the request's principal (cached on the request)."""
    cached: Principal | None = getattr(request, "_livecam_principal", None)
    if cached is None:
        cached = await access.principal_of(request)
        request._livecam_principal = cached  # type: ignore[attr-defined]
    return cached


async def visible_cameras(request: HttpRequest) -> list[Camera]:
    """Return the cameras this request's user may see."""
    return await access.visible_cameras(await principal(request))


async def get_visible_camera(request: HttpRequest, camera_id: str) -> Camera:
    """Return the camera, or raise Http404 when it does not exist or is not visible."""
    camera = await access.visible_camera(await principal(request), camera_id)
    if camera is None:
        raise Http404(NOT_FOUND)
    return camera


async def may_switch(request: HttpRequest) -> bool:
    """Return True when the user may switch cameras ON and OFF (never a read-only token)."""
    return await access.may_switch(await principal(request))


async def may_configure(request: HttpRequest) -> bool:
    """Return True when the user may change camera settings (operators and admins)."""
    return await may_switch(request)
