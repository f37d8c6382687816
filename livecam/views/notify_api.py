"""JSON API of a camera's MQTT settings (admins) and of one's own notification wishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from livecam.access import policy
from livecam.mqtt.models import MqttSettings
from livecam.notify import email
from livecam.notify.models import NotificationProfile, NotificationRule
from livecam.views.access import get_visible_camera, principal
from livecam.views.media_api import ADMIN_PERMISSION, MediaErrorOut, may

router = Router(tags=["MQTT and notifications"])
_ERRORS: dict[int, Any] = {400: MediaErrorOut, 401: MediaErrorOut, 403: MediaErrorOut}


class MqttSettingsIo(Schema):
    """What a camera shows on the broker and takes from it (PATCH: only what changes)."""

    model_config = ConfigDict(extra="forbid")
    exposed: bool | None = Field(None, strict=True)
    commands: bool | None = Field(None, strict=True)
    snapshot_interval: float | None = Field(None, strict=True, ge=0, le=86400)


_TIME = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
"""A wall-clock time of the server's time zone, HH:MM (no seconds, no offset)."""


def _hhmm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


class RuleIo(Schema):
    """One camera's wishes: motion started; went offline / came back; rate limit."""

    model_config = ConfigDict(extra="forbid")
    camera: str = Field(max_length=50, pattern=r"^[A-Za-z0-9_-]+$")
    motion: bool = Field(False, strict=True)
    offline: bool = Field(False, strict=True)
    min_interval: float = Field(10, strict=True, ge=0, le=1440)


class NotificationsIo(Schema):
    """One's notification wishes: e-mail on/off, quiet hours (server time), rules per camera."""

    model_config = ConfigDict(extra="forbid")
    email: bool = Field(True, strict=True)
    quiet_start: str | None = Field(None, pattern=_TIME)
    quiet_end: str | None = Field(None, pattern=_TIME)
    rules: list[RuleIo] = Field(default_factory=list, max_length=500)


class NotificationsOut(NotificationsIo):
    """The wishes as stored, and whether this server can send e-mail at all."""

    email_available: bool
    address: str


def _mqtt_json(settings: MqttSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in MqttSettingsIo.model_fields}


@router.get(
    "/cameras/{camera_id}/mqtt", response={200: MqttSettingsIo, **_ERRORS, 404: MediaErrorOut}
)
async def get_mqtt_settings(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Return whether the camera is exposed to MQTT and accepts commands from it."""
    camera = await get_visible_camera(request, camera_id)
    settings = await MqttSettings.objects.filter(pk=camera.id).afirst()
    return _mqtt_json(settings or MqttSettings(camera_id=camera.id))


@router.patch(
    "/cameras/{camera_id}/mqtt",
    response={200: MqttSettingsIo, **_ERRORS, 404: MediaErrorOut, 422: MediaErrorOut},
    summary="Change MQTT exposure and commands (admins)",
)
async def patch_mqtt_settings(
    request: HttpRequest, camera_id: str, changes: MqttSettingsIo
) -> dict[str, Any]:
    """Change some settings; the bridge applies them within 2 s (commands: at once)."""
    camera = await get_visible_camera(request, camera_id)
    if not await may(request, ADMIN_PERMISSION):
        raise HttpError(403, "you may not change MQTT settings")
    settings, _ = await MqttSettings.objects.aget_or_create(camera_id=camera.id)
    for name, value in changes.model_dump(exclude_none=True).items():
        setattr(settings, name, value)
    await settings.asave()
    return _mqtt_json(settings)


async def _user(request: HttpRequest) -> Any:
    who = await principal(request)
    if who is None:
        raise Http404("not found")
    return who


async def _wishes(who: policy.Principal) -> dict[str, Any]:
    user = who.user
    profile = await NotificationProfile.objects.filter(user=user).afirst()
    visible = {c.id for c in await policy.visible_cameras(who)}
    rules = [
        {
            "camera": r.camera_id,
            "motion": r.motion,
            "offline": r.offline,
            "min_interval": r.min_interval,
        }
        async for r in NotificationRule.objects.filter(user=user).order_by("camera_id")
        if r.camera_id in visible
    ]
    return {
        "email": profile.email if profile else True,
        "quiet_start": _hhmm(profile.quiet_start) if profile else None,
        "quiet_end": _hhmm(profile.quiet_end) if profile else None,
        "rules": rules,
        "email_available": email.enabled(),
        "address": user.email,
    }


@router.get("/notifications", response={200: NotificationsOut, 401: MediaErrorOut})
async def get_notifications(request: HttpRequest) -> dict[str, Any]:
    """Return the caller's notification wishes (only cameras the caller may see)."""
    return await _wishes(await _user(request))


@router.put(
    "/notifications",
    response={
        200: NotificationsOut,
        **_ERRORS,
        404: MediaErrorOut,
        409: MediaErrorOut,
        422: MediaErrorOut,
    },
    summary="Replace one's notification wishes",
)
async def put_notifications(request: HttpRequest, wishes: NotificationsIo) -> dict[str, Any]:
    """Store the caller's wishes; a rule for a camera the caller may not see is a 404."""
    who = await _user(request)
    if who.read_only:
        raise HttpError(403, "a read-only token may not change notifications")
    cameras = [rule.camera for rule in wishes.rules]
    if len(set(cameras)) != len(cameras):
        raise HttpError(409, "one rule per camera")
    if await policy.visible_among(who, cameras) != cameras:
        # A hidden camera is answered like a missing one, as everywhere in the API.
        raise HttpError(404, "no such camera")
    await sync_to_async(_store)(who.user, wishes)
    return await _wishes(who)


def _store(user: Any, wishes: NotificationsIo) -> None:
    from django.db import transaction

    with transaction.atomic():
        NotificationProfile.objects.update_or_create(
            user=user,
            defaults={
                "email": wishes.email,
                "quiet_start": _time(wishes.quiet_start),
                "quiet_end": _time(wishes.quiet_end),
            },
        )
        NotificationRule.objects.filter(user=user).delete()
        NotificationRule.objects.bulk_create(
            NotificationRule(
                user=user,
                camera_id=rule.camera,
                motion=rule.motion,
                offline=rule.offline,
                min_interval=rule.min_interval,
            )
            for rule in wishes.rules
        )
