"""JSON API of camera management (admins): add, edit, remove; controls; privacy masks."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse
from ninja import Body, Field, NinjaAPI, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from livecam import control
from livecam.cameras import service
from livecam.cameras.settings import set_controls, set_masks, source_reencodes
from livecam.cameras.validation import CameraInvalidError
from livecam.errors import no_content
from livecam.views.access import get_visible_camera, may_configure, principal

MANAGE_PERMISSIONS = {"add": "livecam.add_camera", "change": "livecam.change_camera"}
MANAGE_PERMISSIONS["delete"] = "livecam.delete_camera"


async def may_manage(request: HttpRequest, action: str = "change") -> bool:
    """Return True for admins (never a read-only or camera-limited token)."""
    who = await principal(request)
    if who is None or who.read_only:
        return False
    if who.token is not None and await who.token.cameras.aexists():
        return False  # a token limited to some cameras may not add or remove any
    return bool(await who.user.ahas_perm(MANAGE_PERMISSIONS[action]))


async def require_manage(request: HttpRequest, action: str = "change") -> None:
    """Raise 403 unless the caller is an admin."""
    if not await may_manage(request, action):
        raise HttpError(403, "only admins may manage cameras")


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)


class CameraIn(_Strict):
    """A new camera; only ``id`` and ``source`` are required."""

    id: str = Field(..., max_length=50, description="a slug: letters, digits, - and _")
    source: str = Field(..., max_length=2048, description="pattern:, device:N, file:/path, …")
    label: str = Field("", max_length=100)
    width: int = Field(0, description="0 keeps the source's size")
    height: int = 0
    fps: float = Field(0.0, description="0 keeps the source's rate")
    quality: int = 80
    rotation: int = Field(0, description="0, 90, 180 or 270")
    on_demand: bool = False
    linger: float = 10.0
    bitrate: int = Field(0, description="H.264 cap in kbit/s; 0 picks a default for the size")
    keyframe_interval: float = Field(1.0, description="seconds between H.264 keyframes")
    enabled: bool = True


class CameraPatch(_Strict):
    """The fields to change (send only those)."""

    source: str | None = Field(None, max_length=2048)
    label: str | None = Field(None, max_length=100)
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    quality: int | None = None
    rotation: int | None = None
    on_demand: bool | None = None
    linger: float | None = None
    bitrate: int | None = None
    keyframe_interval: float | None = None
    enabled: bool | None = None


class MenuItem(Schema):
    """One choice of a menu control."""

    value: int
    label: str


class ControlOut(Schema):
    """A picture control: its type, range and current value."""

    name: str
    type: str = Field(..., description="integer, boolean or menu")
    min: int
    max: int
    step: int
    default: int
    value: int
    menu: list[MenuItem]


class Rect(_Strict):
    """A privacy mask: a rectangle in percent of the frame."""

    x: float = Field(..., ge=0, lt=100)
    y: float = Field(..., ge=0, lt=100)
    w: float = Field(..., ge=0.1, le=100)
    h: float = Field(..., ge=0.1, le=100)


class MasksIo(_Strict):
    """A camera's privacy masks."""

    masks: list[Rect] = Field(..., max_length=16)


class MasksOut(MasksIo):
    """The masks, and whether they make capture decode and re-encode a JPEG pass-through."""

    reencodes: bool


class ApiError(Schema):
    """An error with a human-readable reason."""

    detail: str


def _invalid(exc: CameraInvalidError) -> HttpError:
    return HttpError(400, str(exc))


def install(api: NinjaAPI, camera_out: type[Schema]) -> None:
    """Add the management routes to the API (on its own router: same paths as the reads)."""
    errors = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError}

    @api.post(
        "/cameras",
        response={201: camera_out, 409: ApiError, **errors},
        summary="Add a camera (admins)",
        url_name="camera_create",
    )
    async def create_camera(request: HttpRequest, body: CameraIn) -> tuple[int, dict[str, Any]]:
        """Add a camera; 400 names the bad field, 409 when the id is taken."""
        await require_manage(request, "add")
        try:
            camera = await service.acreate(body.model_dump())
        except CameraInvalidError as exc:
            raise _invalid(exc) from None
        except service.CameraExistsError:
            raise HttpError(409, f"id: a camera '{body.id}' exists already") from None
        return 201, control.describe(camera)

    @api.patch("/cameras/{camera_id}", response={200: camera_out, **errors}, summary="Edit")
    async def patch_camera(
        request: HttpRequest, camera_id: str, body: CameraPatch
    ) -> dict[str, Any]:
        """Change some fields of a camera (admins); others' concurrent changes are kept."""
        camera = await get_visible_camera(request, camera_id)
        await require_manage(request)
        try:
            camera = await service.aupdate(camera.id, body.model_dump(exclude_unset=True))
        except CameraInvalidError as exc:
            raise _invalid(exc) from None
        except service.CameraMissingError:
            raise HttpError(404, "no such camera") from None
        return control.describe(camera)

    @api.delete("/cameras/{camera_id}", response={204: None, **errors}, summary="Remove")
    async def delete_camera(request: HttpRequest, camera_id: str) -> HttpResponse:
        """Remove a camera: its streams end, a recording is finished, then it is deleted."""
        camera = await get_visible_camera(request, camera_id)
        await require_manage(request, "delete")
        try:
            await service.aremove(camera.id)
        except service.CameraMissingError:
            raise HttpError(404, "no such camera") from None
        return no_content()

    @api.get(
        "/cameras/{camera_id}/controls",
        response={200: list[ControlOut], **errors},
        summary="Picture controls",
        url_name="get_controls",
    )
    async def get_controls(request: HttpRequest, camera_id: str) -> list[dict[str, Any]]:
        """Return the camera's picture controls with their current values."""
        camera = await get_visible_camera(request, camera_id)
        from livecam.cameras.controls import describe

        return describe(camera.source, camera.control_info, camera.controls)

    @api.patch(
        "/cameras/{camera_id}/controls",
        response={200: list[ControlOut], **errors},
        summary="Set picture controls (operators)",
        description="A JSON object of control names and values; applied live, kept, and "
        "applied again whenever the source reopens. Out of range: 400 with the range.",
    )
    async def patch_controls(
        request: HttpRequest, camera_id: str, body: Body[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Set some controls' values."""
        camera = await get_visible_camera(request, camera_id)
        if not await may_configure(request):
            raise HttpError(403, "you may not change camera controls")
        try:
            camera = await sync_to_async(set_controls)(camera.id, body)
        except ValueError as exc:
            raise HttpError(400, str(exc)) from None
        await control.settings_changed(camera.id)
        from livecam.cameras.controls import describe

        return describe(camera.source, camera.control_info, camera.controls)

    @api.get(
        "/cameras/{camera_id}/masks",
        response={200: MasksOut, **errors},
        summary="Privacy masks",
        url_name="get_masks",
    )
    async def get_masks(request: HttpRequest, camera_id: str) -> dict[str, Any]:
        """Return the camera's privacy masks."""
        camera = await get_visible_camera(request, camera_id)
        return {"masks": camera.privacy_masks, "reencodes": source_reencodes(camera)}

    @api.put(
        "/cameras/{camera_id}/masks",
        response={200: MasksOut, **errors},
        summary="Set privacy masks (admins)",
    )
    async def put_masks(request: HttpRequest, camera_id: str, body: MasksIo) -> dict[str, Any]:
        """Replace the privacy masks; every output shows them black from the next frame."""
        camera = await get_visible_camera(request, camera_id)
        await require_manage(request)
        try:
            camera = await sync_to_async(set_masks)(camera.id, body.model_dump()["masks"])
        except ValueError as exc:
            raise HttpError(400, f"masks: {exc}") from None
        await control.settings_changed(camera.id)
        return {"masks": camera.privacy_masks, "reencodes": source_reencodes(camera)}
