"""The JSON API (django-ninja): typed schemas, generated OpenAPI, session+CSRF or bearer auth."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, StreamingHttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from livecam import __version__, control
from livecam.views import events as events_view
from livecam.views.access import get_visible_camera, may_switch, visible_cameras
from livecam.views.media_api import install_error_handler as install_media_errors
from livecam.views.media_api import router as media_router


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


api = NinjaAPI(
    title="livecam",
    version=__version__,
    description="Live cameras: state, ON/OFF and events.",
    urls_namespace="livecam:api",
    auth=[BearerToken(), SessionCookie()],
    docs_url="/docs",
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
    on_demand: bool = False


class ErrorOut(Schema):
    """An error with a human-readable reason."""

    detail: str


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> Any:
    return api.create_response(request, {"detail": str(exc) or "not found"}, status=404)


@api.get("/cameras", response={200: list[CameraOut], 401: ErrorOut}, summary="List cameras")
async def list_cameras(request: HttpRequest) -> list[dict[str, Any]]:
    """Return every camera the user may see."""
    return [control.describe(camera) for camera in await visible_cameras(request)]


@api.get(
    "/cameras/{camera_id}",
    response={200: CameraOut, 401: ErrorOut, 404: ErrorOut},
    summary="One camera",
    description="A camera the caller may not see answers 404, exactly like a missing one.",
)
async def get_camera(request: HttpRequest, camera_id: str) -> dict[str, Any]:
    """Return one camera's state."""
    return control.describe(await get_visible_camera(request, camera_id))


async def _switch(request: HttpRequest, camera_id: str, enabled: bool) -> dict[str, Any]:
    camera = await get_visible_camera(request, camera_id)
    if not await may_switch(request):
        raise HttpError(403, "you may not switch cameras")
    return await control.set_enabled(camera.id, enabled)


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


api.add_router("/cameras", media_router)  # events, recordings, Record/Stop, motion settings
install_media_errors(api)  # invalid input: 400 with a reason (only those routes take any)


@api.get(
    "/events",
    url_name="camera_events",
    summary="Camera state changes (Server-Sent Events)",
    description="A `text/event-stream`: one `camera` event per camera at the start, then one "
    "per change; the data is the camera's JSON state. `motion` events (a motion event's JSON "
    "with `phase` start or end) and `recording` events (a recording's JSON with `phase` "
    "started or ended) follow as they happen.",
)
async def camera_events(request: HttpRequest) -> StreamingHttpResponse:
    """Stream camera state changes."""
    return await events_view.events(request)
