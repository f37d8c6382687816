"""JSON API of motion events, recordings, Record/Stop and motion settings (django-ninja)."""

from __future__ import annotations

from typing import Annotated, Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import BeforeValidator, ConfigDict

from livecam.bus import ControlMessage, get_bus
from livecam.errors import NotFound, no_content
from livecam.motion.models import MotionEvent, MotionSettings
from livecam.motion.serialize import event_json, recording_json
from livecam.recording.control import recording_state, set_recording
from livecam.recording.models import Recording
from livecam.recording.schedule import PATTERN as SCHEDULE_PATTERN
from livecam.views.access import get_visible_camera, may_switch, principal

router = Router(tags=["motion and recording"])

ADMIN_PERMISSION = "livecam.change_camera"
"""Deleting recordings and changing motion settings are admin work, like editing cameras."""


class EventOut(Schema):
    """A motion event (times in Unix seconds; ``peak_area`` is a share of the frame)."""

    id: int
    camera: str
    started_at: float
    ended_at: float | None
    ongoing: bool
    duration: float | None
    peak_area: float
    snapshot_url: str | None


_NUMBER = r"[0-9]{1,2}(?:\.[0-9]{1,2})?"
_RECT = rf"{_NUMBER},{_NUMBER},[1-9][0-9]?,[1-9][0-9]?"
_MASK = rf"^(?:{_RECT})?(?:;{_RECT}){{0,8}}$"
"""Documented forms (the server also checks them): rectangles in percent, an http(s) URL."""
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL}){{0,3}}\.[a-z]{{2,10}}|localhost|{_OCTET}(?:\.{_OCTET}){{3}})"
_URL = (
    rf"^(?:https?://{_HOST}(?::[1-9][0-9]{{1,4}})?(?:/[A-Za-z0-9_~.-]{{0,50}}){{0,5}}"
    r"(?:\?[A-Za-z0-9_~=&.-]{0,200})?)?$"
)


class RecordingOut(Schema):
    """A recording; ``url`` plays or downloads the MP4 once it is done."""

    id: int
    camera: str
    started_at: float | None
    ended_at: float | None
    trigger: str
    state: str
    duration: float
    frames: int
    size: int
    error: str
    url: str | None


class RecordingStateOut(Schema):
    """Whether Record is on, whether a file is being written now and, if not, why not.

    ``error`` is the reason the newest recording ended early ("disk full"), else empty.
    """

    camera: str
    recording: bool
    writing: bool
    error: str


def _page(limit: int | None, before: int | None) -> tuple[int, int | None]:
    """Return (limit clamped to 1-500, default 100; before) for newest-first paging."""
    return min(max(limit if limit is not None else 100, 1), 500), before


def _whole_number(value: object) -> object:
    """Accept a JSON integer, also written as 25.0 (JSON Schema's integer); never a boolean."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not a boolean")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Integers that take 25 and 25.0 but neither 25.5, "25" nor true.
Threshold = Annotated[int, Field(ge=1, le=255), BeforeValidator(_whole_number)]
MaxCount = Annotated[int, Field(ge=0, le=1_000_000), BeforeValidator(_whole_number)]


class MotionSettingsIo(Schema):
    """A camera's motion, recording and retention settings (PATCH: send only what changes)."""

    # A misspelt field is refused with its name (400), never silently ignored.
    model_config = ConfigDict(extra="forbid")

    motion: bool | None = Field(None, strict=True)
    analysis_fps: float | None = Field(None, strict=True, ge=0.5, le=30)
    threshold: Threshold | None = None
    min_area: float | None = Field(None, strict=True, ge=0.01, le=100)
    mask: str | None = Field(None, max_length=500, pattern=_MASK)
    overlay: bool | None = Field(None, strict=True)
    webhook_url: str | None = Field(None, max_length=500, pattern=_URL)
    record_on_motion: bool | None = Field(None, strict=True)
    pre_seconds: float | None = Field(None, strict=True, ge=0, le=30)
    post_seconds: float | None = Field(None, strict=True, ge=0, le=300)
    max_age_days: float | None = Field(None, strict=True, ge=0, le=3650)
    max_count: MaxCount | None = None
    continuous: bool | None = Field(None, strict=True)
    schedule: str | None = Field(None, max_length=200, pattern=SCHEDULE_PATTERN)
    max_gb: float | None = Field(None, strict=True, ge=0, le=1_000_000)


class MotionSettingsOut(MotionSettingsIo):
    """The settings as answered: the webhook URL is "(set)" for callers who are not admins."""

    webhook_url: str | None = None


class MediaErrorOut(Schema):
    """An error with a human-readable reason."""

    detail: str


_FIELDS = list(MotionSettingsIo.model_fields)


async def may(request: HttpRequest, permission: str) -> bool:
    """Return True when the user has ``permission`` (never with a read-only token)."""
    who = await principal(request)
    return who is not None and not who.read_only and bool(await who.user.ahas_perm(permission))


async def _require(request: HttpRequest, permission: str, what: str) -> None:
    if not await may(request, permission):
        raise HttpError(403, f"you may not {what}")


@router.get(
    "/{camera_id}/events",
    response={200: list[EventOut], 400: MediaErrorOut, 401: MediaErrorOut, 404: MediaErrorOut},
)
async def list_events(
    request: HttpRequest, camera_id: str, limit: int | None = None, before: int | None = None
) -> list[dict[str, Any]]:
    """Return a camera's motion events, newest first (``limit`` 1-500, ``before`` an id)."""
    count, older = _page(limit, before)
    camera = await get_visible_camera(request, camera_id)
    events = MotionEvent.objects.filter(camera_id=camera.id)
    if older is not None:
        events = events.filter(id__lt=older)
    return [event_json(e) async for e in events.order_by("-started_at", "-id")[:count]]


@router.get(
    "/{camera_id}/recordings",
    response={200: list[RecordingOut], 400: MediaErrorOut, 401: MediaErrorOut, 404: MediaErrorOut},
)
async def list_recordings(
    request: HttpRequest, camera_id: str, limit: int | None = None, before: int | None = None
) -> list[dict[str, Any]]:
    """Return a camera's recordings, newest first (``limit`` 1-500, ``before`` an id)."""
    count, older = _page(limit, before)
    camera = await get_visible_camera(request, camera_id)
    recordings = Recording.objects.filter(camera_id=camera.id)
    if older is not None:
        recordings = recordings.filter(id__lt=older)
    rows = recordings.order_by("-started_at", "-id")[:count]
    return [recording_json(r) async for r in rows]


@router.get(
    "/{camera_id}/recording",
    response={200: RecordingStateOut, 401: MediaErrorOut, 404: MediaErrorOut},
)
async def get_recording_state(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Return whether Record is on."""
    camera = await get_visible_camera(request, camera_id)
    return await recording_state(camera.id)


async def _record(request: HttpRequest, camera_id: str, on: bool) -> dict[str, Any]:
    camera = await get_visible_camera(request, camera_id)
    if not await may_switch(request):
        raise HttpError(403, "you may not record")
    return await set_recording(camera.id, on)


@router.post(
    "/{camera_id}/recordings/start",
    response={200: RecordingStateOut, 401: MediaErrorOut, 403: MediaErrorOut, 404: MediaErrorOut},
    summary="Record (operators)",
)
async def start_recording(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Start recording until stopped (kept across restarts, like ON/OFF)."""
    return await _record(request, camera_id, True)


@router.post(
    "/{camera_id}/recordings/stop",
    response={200: RecordingStateOut, 401: MediaErrorOut, 403: MediaErrorOut, 404: MediaErrorOut},
    summary="Stop recording (operators)",
)
async def stop_recording(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Stop recording; the file is finished and listed a moment later."""
    return await _record(request, camera_id, False)


@router.delete(
    "/{camera_id}/recordings/{recording_id}",
    response={
        204: None,
        401: MediaErrorOut,
        403: MediaErrorOut,
        404: MediaErrorOut,
        409: MediaErrorOut,
    },
    summary="Delete a recording (admins)",
)
async def delete_recording(request: HttpRequest, camera_id: str, recording_id: str) -> HttpResponse:
    """Delete a finished recording and its file."""
    camera = await get_visible_camera(request, camera_id)
    await _require(request, ADMIN_PERMISSION, "delete recordings")
    if not recording_id.isdigit() or len(recording_id) > 18:
        raise NotFound("no such recording")
    row = await Recording.objects.filter(camera_id=camera.id, pk=int(recording_id)).afirst()
    if row is None:
        raise NotFound("no such recording")
    if row.state == "recording":
        raise HttpError(409, "the recording is still being written; stop it first")
    await row.adelete()
    return no_content()


@router.get(
    "/{camera_id}/motion", response={200: MotionSettingsOut, 401: MediaErrorOut, 404: MediaErrorOut}
)
async def get_motion_settings(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Return a camera's motion, recording and retention settings."""
    camera = await get_visible_camera(request, camera_id)
    settings = await MotionSettings.objects.filter(camera_id=camera.id).afirst()
    settings = settings or MotionSettings(camera_id=camera.id)
    data = {name: getattr(settings, name) for name in _FIELDS}
    if data["webhook_url"] and not await may(request, ADMIN_PERMISSION):
        data["webhook_url"] = "(set)"  # it may carry a secret: only admins see it
    return data


@router.patch(
    "/{camera_id}/motion",
    response={
        200: MotionSettingsOut,
        400: MediaErrorOut,
        401: MediaErrorOut,
        403: MediaErrorOut,
        404: MediaErrorOut,
        422: MediaErrorOut,
    },
    summary="Change motion settings (admins)",
)
async def patch_motion_settings(
    request: HttpRequest, camera_id: str, changes: MotionSettingsIo
) -> dict[str, Any]:
    """Change some settings; capture applies them within a moment, without reopening."""
    camera = await get_visible_camera(request, camera_id)
    await _require(request, ADMIN_PERMISSION, "change motion settings")
    if not request.body.lstrip().startswith(b"{"):
        raise HttpError(400, "the body is a JSON object of the settings to change")
    settings, _ = await MotionSettings.objects.aget_or_create(camera_id=camera.id)
    changed = changes.model_dump(exclude_none=True)
    for name, value in changed.items():
        setattr(settings, name, value)
    try:
        await sync_to_async(settings.full_clean)()
    except ValidationError as exc:
        reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise HttpError(400, reasons) from None
    if changed:
        # Only the fields sent: a Record/Stop (or another PATCH) saved between our read and
        # this write must not be undone by writing back the values we read.
        await settings.asave(update_fields=list(changed))
        await settings.arefresh_from_db()
    await get_bus().send_control(ControlMessage("changed", camera.id))  # capture re-reads
    return {name: getattr(settings, name) for name in _FIELDS}
