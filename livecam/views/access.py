"""The request side of ``access.policy``: every view asks here who may see and switch what."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from livecam.access import fallback, policy
from livecam.access.middleware import DATABASE_ERRORS
from livecam.access.policy import Principal
from livecam.errors import NotFound
from livecam.models import Camera
from livecam.reasons import present

NOT_FOUND = "no such camera"
"""The one answer for a camera that is missing or hidden from the user: they look the same."""


async def principal(request: HttpRequest) -> Principal | None:
    """Return the request's principal (cached on the request)."""
    cached: Principal | None = getattr(request, "_livecam_principal", None)
    if cached is None:
        cached = await policy.principal_of(request)
        request._livecam_principal = cached  # type: ignore[attr-defined]
    return cached


async def visible_cameras(request: HttpRequest) -> list[Camera]:
    """Return the cameras this request's user may see."""
    return await policy.visible_cameras(await principal(request))


async def get_visible_camera(request: HttpRequest, camera_id: str) -> Camera:
    """Return the camera, or raise NotFound when it does not exist or is not visible.

    Each answer is remembered for the credentials (see `camera_for_snapshot`).
    """
    credential = fallback.credential_of(request)
    camera = await policy.visible_camera(await principal(request), camera_id)
    if camera is None:
        fallback.REMEMBERED.forget(credential, camera_id)
        raise NotFound(NOT_FOUND)
    fallback.REMEMBERED.remember(credential, camera_id, camera)
    return camera


async def camera_for_snapshot(request: HttpRequest, camera_id: str) -> Camera:
    """Return the visible camera; while the database is unreachable, the remembered one.

    The frame of a snapshot is in memory: a client allowed this camera within ACCESS_GRACE
    seconds gets it during an outage. Anyone else gets the database error (answered 503).
    """
    failed = getattr(request, "_livecam_database_error", None)
    if failed is None:
        try:
            return await get_visible_camera(request, camera_id)
        except DATABASE_ERRORS as exc:
            failed = exc
    camera: Camera | None = fallback.REMEMBERED.recall(fallback.credential_of(request), camera_id)
    if camera is None:
        raise failed
    return camera


async def may_switch(request: HttpRequest) -> bool:
    """Return True when the user may switch cameras ON and OFF (never a read-only token)."""
    return await policy.may_switch(await principal(request))


async def sees_sources(request: HttpRequest) -> bool:
    """Return True when the user may see source addresses in error reasons (admins)."""
    return await policy.may_see_sources(await principal(request))


def for_person(state: dict[str, Any], see_sources: bool) -> dict[str, Any]:
    """Return a camera's JSON state with its error reason as shown to this person."""
    if state.get("error"):
        state = {**state, "error": present(state["error"], see_sources)}
    return state


def by_label(cameras: list[Camera]) -> list[Camera]:
    """Return cameras sorted as people look for them: by label (else id), case-insensitively."""
    return sorted(cameras, key=lambda camera: ((camera.label or camera.id).casefold(), camera.id))


async def may_configure(request: HttpRequest) -> bool:
    """Return True when the user may change camera settings (operators and admins)."""
    return await may_switch(request)
