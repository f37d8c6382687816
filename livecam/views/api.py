"""The JSON API (django-ninja): typed schemas, generated OpenAPI, session+CSRF or bearer auth."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from livecam import __version__, control
from livecam.errors.api import LivecamAPI
from livecam.views import cameras_api, sources_api
from livecam.views import events as events_view
from livecam.views.access import (
    for_person,
    get_visible_camera,
    may_switch,
    sees_sources,
    visible_cameras,
)
from livecam.views.media_api import router as media_router
from livecam.views.notify_api import router as notify_router
from livecam.views.timeline import router as timeline_router


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` (validated by the token middleware)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """Accept the request when the middleware authenticated its token."""
        return getattr(request, "auth_token", None)


class SessionCookie(APIKeyCookie):
    """The browser's session cookie; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        """Accept a logged-in session."""
        user = request.user
        return user if user.is_authenticated else None


api = LivecamAPI(  # every error {"detail": ...}, see livecam.errors
    title="livecam",
    version=__version__,
    description="Live cameras: state, ON/OFF and events.",
    urls_namespace="livecam:api",
    auth=[BearerToken(), SessionCookie()],
    docs_url="/docs",
    docs_decorator=require_GET,  # openapi.json and the docs page take GET only (405 else)
)


class CameraOut(Schema):
    """A camera's state."""

    id: str
    label: str
    enabled: bool
    online: bool
    state: str
    error: str
    width: int
    height: int
    fps: float
    viewers: int
    last_frame_at: float | None
    retry_at: float | None
    reconnects: int
    video: str = Field(
        "encoded", description='How stream.mp4 is made: "encoded" or "passthrough" (no encode)'
    )
    video_reason: str = Field("", description="Why the source's H.264 is not passed through")
    video_error: str = Field("", description="Why stream.mp4 is unavailable (MJPEG unaffected)")
    continuous: str = Field(
        "off", description='Continuous recording: "off", "recording", "scheduled-idle", "paused"'
    )
    continuous_reason: str = Field("", description="Why continuous recording is paused")
    on_demand: bool = False
    bitrate: int = Field(0, description="H.264 bitrate cap in kbit/s (0: a default for the size)")
    keyframe_interval: float = Field(1.0, description="Seconds between H.264 keyframes")


class ErrorOut(Schema):
    """An error with a human-readable reason."""

    detail: str


@api.get("/cameras", response={200: list[CameraOut], 401: ErrorOut}, summary="List cameras")
async def list_cameras(request: HttpRequest) -> list[dict[str, Any]]:
    """Return every camera the user may see."""
    admin = await sees_sources(request)
    return [for_person(control.describe(c), admin) for c in await visible_cameras(request)]


@api.get(
    "/cameras/{camera_id}",
    response={200: CameraOut, 401: ErrorOut, 404: ErrorOut},
    summary="One camera",
    description="A camera the caller may not see answers 404, exactly like a missing one.",
)
async def get_camera(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Return one camera's state."""
    camera = await get_visible_camera(request, camera_id)
    return for_person(control.describe(camera), await sees_sources(request))


async def _switch(request: HttpRequest, camera_id: str, enabled: bool) -> dict[str, Any]:
    camera = await get_visible_camera(request, camera_id)
    if not await may_switch(request):
        raise HttpError(403, "you may not switch cameras")
    state = await control.set_enabled(camera.id, enabled)
    return for_person(state, await sees_sources(request))


@api.post(
    "/cameras/{camera_id}/on",
    response={200: CameraOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Switch a camera ON",
    url_name="camera_on",
)
async def switch_on(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Enable a camera (persisted) and return its state."""
    return await _switch(request, camera_id, True)


@api.post(
    "/cameras/{camera_id}/off",
    response={200: CameraOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Switch a camera OFF",
    url_name="camera_off",
)
async def switch_off(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Disable a camera (persisted), release its source, and return its state."""
    return await _switch(request, camera_id, False)


cameras_api.install(api, CameraOut)  # add, edit, remove (admins); controls; privacy masks
sources_api.install(api)  # probe a source, preview it, list V4L2 devices (admins)
api.add_router("/cameras", media_router)  # events, recordings, Record/Stop, motion settings
api.add_router("/cameras", timeline_router)  # continuous recording: the timeline
api.add_router("/", notify_router)  # MQTT settings per camera, one's notification wishes


@api.get(
    "/events",
    url_name="camera_events",
    summary="Camera state changes (Server-Sent Events)",
    description="A `text/event-stream`: one `camera` event per camera at the start, then one "
    "per change (also for a camera added or given to the caller); the data is the camera's JSON "
    'state. `camera-removed` (`{"id": …}`) when a camera is removed or taken away. '
    "`motion` events (a motion event's JSON "
    "with `phase` start or end) and `recording` events (a recording's JSON with `phase` "
    "started or ended) follow as they happen.",
)
async def camera_events(request: HttpRequest) -> StreamingHttpResponse:
    """Stream camera state changes."""
    return await events_view.events(request)
