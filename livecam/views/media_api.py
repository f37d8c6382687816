"""JSON API of motion events, recordings, Record/Stop and motion settings (django-ninja)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from livecam.bus import ControlMessage, get_bus
from livecam.motion.models import MotionEvent, MotionSettings
from livecam.motion.serialize import event_json, recording_json
from livecam.recording.control import recording_state, set_recording
from livecam.recording.models import Recording
from livecam.views.access import get_visible_camera, may_switch

router = Router(tags=["motion and recording"])


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
    url: str | None


class RecordingStateOut(Schema):
    """Whether Record is on for a camera, and whether a file is being written now."""

    camera: str
    recording: bool
    writing: bool


class Page(Schema):
    """Paging: newest first, ``before`` an id to see older ones."""

    limit: int = Field(100, ge=1, le=500)
    before: int | None = Field(None, ge=1)


class MotionSettingsIo(Schema):
    """A camera's motion, recording and retention settings (PATCH: send only what changes)."""

    motion: bool | None = None
    analysis_fps: float | None = None
    threshold: int | None = None
    min_area: float | None = None
    mask: str | None = None
    overlay: bool | None = None
    webhook_url: str | None = None
    record_on_motion: bool | None = None
    pre_seconds: float | None = None
    post_seconds: float | None = None
    max_age_days: float | None = None
    max_count: int | None = None


class ErrorOut(Schema):
    """An error with a human-readable reason."""

    detail: str


_FIELDS = list(MotionSettingsIo.model_fields)


async def _require(request: HttpRequest, permission: str, what: str) -> None:
    user: Any = await request.auser()
    if not await user.ahas_perm(permission):
        raise HttpError(403, f"you may not {what}")


@router.get("/{camera_id}/events", response={200: list[EventOut], 404: ErrorOut})
async def list_events(
    request: HttpRequest, camera_id: str, page: Query[Page]
) -> list[dict[str, Any]]:
    """Return a camera's motion events, newest first."""
    camera = await get_visible_camera(request, camera_id)
    events = MotionEvent.objects.filter(camera_id=camera.id)
    if page.before is not None:
        events = events.filter(id__lt=page.before)
    return [event_json(e) async for e in events.order_by("-started_at", "-id")[: page.limit]]


@router.get("/{camera_id}/recordings", response={200: list[RecordingOut], 404: ErrorOut})
async def list_recordings(
    request: HttpRequest, camera_id: str, page: Query[Page]
) -> list[dict[str, Any]]:
    """Return a camera's recordings, newest first."""
    camera = await get_visible_camera(request, camera_id)
    recordings = Recording.objects.filter(camera_id=camera.id)
    if page.before is not None:
        recordings = recordings.filter(id__lt=page.before)
    rows = recordings.order_by("-started_at", "-id")[: page.limit]
    return [recording_json(r) async for r in rows]


@router.get("/{camera_id}/recording", response={200: RecordingStateOut, 404: ErrorOut})
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
    response={200: RecordingStateOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record (operators)",
)
async def start_recording(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Start recording until stopped (kept across restarts, like ON/OFF)."""
    return await _record(request, camera_id, True)


@router.post(
    "/{camera_id}/recordings/stop",
    response={200: RecordingStateOut, 403: ErrorOut, 404: ErrorOut},
    summary="Stop recording (operators)",
)
async def stop_recording(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Stop recording; the file is finished and listed a moment later."""
    return await _record(request, camera_id, False)


@router.delete(
    "/{camera_id}/recordings/{recording_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    summary="Delete a recording (admins)",
)
async def delete_recording(
    request: HttpRequest, camera_id: str, recording_id: int
) -> tuple[int, None]:
    """Delete a finished recording and its file."""
    camera = await get_visible_camera(request, camera_id)
    await _require(request, "livecam.delete_recording", "delete recordings")
    row = await Recording.objects.filter(camera_id=camera.id, pk=recording_id).afirst()
    if row is None:
        raise Http404("no such recording")
    if row.state == "recording":
        raise HttpError(409, "the recording is still being written; stop it first")
    await row.adelete()
    return 204, None


@router.get("/{camera_id}/motion", response={200: MotionSettingsIo, 404: ErrorOut})
async def get_motion_settings(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Return a camera's motion, recording and retention settings."""
    camera = await get_visible_camera(request, camera_id)
    settings = await MotionSettings.objects.filter(camera_id=camera.id).afirst()
    settings = settings or MotionSettings(camera_id=camera.id)
    data = {name: getattr(settings, name) for name in _FIELDS}
    user: Any = await request.auser()
    if data["webhook_url"] and not await user.ahas_perm("livecam.change_motionsettings"):
        data["webhook_url"] = "(set)"  # it may carry a secret: only admins see it
    return data


@router.patch(
    "/{camera_id}/motion",
    response={200: MotionSettingsIo, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Change motion settings (admins)",
)
async def patch_motion_settings(
    request: HttpRequest, camera_id: str, changes: MotionSettingsIo
) -> dict[str, Any]:
    """Change some settings; capture applies them within a moment, without reopening."""
    camera = await get_visible_camera(request, camera_id)
    await _require(request, "livecam.change_motionsettings", "change motion settings")
    settings, _ = await MotionSettings.objects.aget_or_create(camera_id=camera.id)
    for name, value in changes.model_dump(exclude_none=True).items():
        setattr(settings, name, value)
    try:
        await sync_to_async(settings.full_clean)()
    except ValidationError as exc:
        reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise HttpError(400, reasons) from None
    await settings.asave()
    await get_bus().send_control(ControlMessage("changed", camera.id))  # capture re-reads
    return {name: getattr(settings, name) for name in _FIELDS}
