"""JSON API for choosing a source (admins): probe it, preview it, list V4L2 devices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from livecam.cameras import on_owner, probe
from livecam.views.cameras_api import ApiError, require_manage


class ProbeIn(Schema):
    """The source string to try."""

    model_config = ConfigDict(extra="forbid", strict=True)

    source: str = Field(..., max_length=2048)


class ProbeOut(Schema):
    """What the source delivered (``ok`` false: ``error`` says why)."""

    ok: bool
    error: str
    width: int
    height: int
    fps: float = Field(..., description="measured over about a second")
    codec: str = Field(..., description="mjpeg when JPEGs arrive, raw for decoded pictures")
    passes_through: bool = Field(..., description="the source's JPEGs are streamed as they are")


class SizeOut(Schema):
    """One frame size of a pixel format, with its frame rates."""

    width: int
    height: int
    fps: list[float]


class FormatOut(Schema):
    """One pixel format of a device."""

    format: str
    sizes: list[SizeOut]


class DeviceOut(Schema):
    """A V4L2 capture device."""

    path: str
    by_id: str = Field(..., description="a stable /dev/v4l/by-id path, when there is one")
    name: str
    driver: str
    bus: str
    formats: list[FormatOut]


async def _probe(source: str, picture: bool = False) -> probe.ProbeResult:
    try:
        return await on_owner.probe_source(source, picture)
    except (probe.ProbeBusyError, on_owner.OwnerUnavailableError) as exc:
        raise HttpError(503, str(exc)) from None
    except on_owner.OwnerTimeoutError as exc:
        raise HttpError(504, str(exc)) from None


def install(api: NinjaAPI) -> None:
    """Add the source routes to the API."""
    errors = {400: ApiError, 401: ApiError, 403: ApiError, 503: ApiError, 504: ApiError}
    on_capture = (
        " With the Redis bus this runs on the capture process: 503 when none is running, 504 "
        "when it does not answer in time."
    )

    @api.post(
        "/sources/probe",
        response={200: ProbeOut, **errors},
        summary="Try a source (admins)",
        description=f"Opens the source once and reads about a second of frames. Answers "
        f"within {probe.TIMEOUT:g} s: a dead or silent source gives ok=false and the reason."
        + on_capture,
    )
    async def probe_source(request: HttpRequest, body: ProbeIn) -> dict[str, Any]:
        """Open a source once and report what it delivers."""
        await require_manage(request, "add")
        return (await _probe(body.source)).to_json()

    @api.post(
        "/sources/probe/snapshot",
        response={200: None, **errors},
        summary="Preview a source (admins)",
        description="The source's first frame as `image/jpeg`; 400 with the reason when the "
        "source gives none." + on_capture,
        openapi_extra={
            "responses": {200: {"description": "a JPEG", "content": {"image/jpeg": {}}}}
        },
    )
    async def probe_snapshot(request: HttpRequest, body: ProbeIn) -> HttpResponse:
        """Return one frame of the source as a JPEG."""
        await require_manage(request, "add")
        result = await _probe(body.source, picture=True)
        if not result.ok or result.jpeg is None:
            raise HttpError(400, result.error or "the source gave no picture")
        response = HttpResponse(result.jpeg, content_type="image/jpeg")
        response["Cache-Control"] = "no-store"
        return response

    @api.get(
        "/devices",
        response={200: list[DeviceOut], 401: ApiError, 403: ApiError, 503: ApiError, 504: ApiError},
        summary="V4L2 devices (admins)",
        description="The capture devices of the capture machine(s) with their formats, sizes "
        "and rates." + on_capture,
    )
    async def list_devices(request: HttpRequest) -> list[dict[str, Any]]:
        """Return the V4L2 capture devices."""
        await require_manage(request, "add")
        try:
            return await on_owner.devices()
        except on_owner.OwnerUnavailableError as exc:
            raise HttpError(503, str(exc)) from None
        except on_owner.OwnerTimeoutError as exc:
            raise HttpError(504, str(exc)) from None
