"""Add, edit and remove cameras: validated once, saved atomically, capture told at once."""

from __future__ import annotations

import time
from typing import Any

from asgiref.sync import sync_to_async
from django.db import IntegrityError, transaction

from livecam.bus import ControlMessage, get_bus
from livecam.cameras.locking import retry_locked
from livecam.cameras.validation import EDITABLE, CameraInvalidError, check
from livecam.models import Camera
from livecam.recording.models import Recording

STOP_WAIT = 5.0
"""Seconds a removal waits for capture to release the source and finish recordings."""


class CameraExistsError(LookupError):
    """A camera with this id exists already."""


class CameraMissingError(LookupError):
    """No camera with this id."""


def create(fields: dict[str, Any]) -> Camera:
    """Insert a camera after checking every field; raise CameraInvalidError/CameraExistsError."""
    unknown = set(fields) - {"id", *EDITABLE}
    if unknown:
        raise CameraInvalidError({name: ["unknown field"] for name in sorted(unknown)})
    camera = Camera(**fields)
    check(camera)
    try:
        with transaction.atomic():
            camera.save(force_insert=True)
    except IntegrityError:
        raise CameraExistsError(camera.id) from None
    return camera


def update(camera_id: str, changes: dict[str, Any]) -> Camera:
    """Change only the given fields of a camera, atomically; return the saved camera.

    Two admins editing one camera at once both keep their changes: the row is locked and
    re-read inside the transaction, only the sent fields are set on it, the whole is checked,
    and only those fields are written.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CameraInvalidError({name: ["unknown field"] for name in sorted(unknown)})
    return retry_locked(lambda: _update(camera_id, changes))


def _update(camera_id: str, changes: dict[str, Any]) -> Camera:
    with transaction.atomic():
        camera = Camera.objects.select_for_update().filter(pk=camera_id).first()
        if camera is None:
            raise CameraMissingError(camera_id)
        for name, value in changes.items():
            setattr(camera, name, value)
        check(camera)
        fields = [*changes, "updated_at"]
        if "source" in changes:  # another source has other controls: capture reports anew
            camera.control_info = []
            fields.append("control_info")
        if changes:
            camera.save(update_fields=fields)
    return camera


async def acreate(fields: dict[str, Any]) -> Camera:
    """Insert a camera (see create) and tell capture."""
    camera = await sync_to_async(create)(fields)
    await get_bus().send_control(ControlMessage("changed", camera.id))
    return camera


async def aupdate(camera_id: str, changes: dict[str, Any]) -> Camera:
    """Change a camera (see update) and tell capture, which applies it at once."""
    camera = await sync_to_async(update)(camera_id, changes)
    await get_bus().send_control(ControlMessage("changed", camera.id))
    return camera


async def aremove(camera_id: str) -> None:
    """Switch the camera OFF, wait until capture released it, then delete it and its media.

    Waiting first lets a recording in progress finish its file and the source close cleanly;
    after the wait (bounded) the row goes regardless. Streams of this process end at once;
    other web processes end theirs at their next access check (the camera is gone).
    """
    bus = get_bus()
    updated = await Camera.objects.filter(pk=camera_id).aupdate(enabled=False)
    if not updated:
        raise CameraMissingError(camera_id)
    await bus.send_control(ControlMessage("changed", camera_id))
    await _wait_released(camera_id)
    await Camera.objects.filter(pk=camera_id).adelete()
    await bus.send_control(ControlMessage("removed", camera_id))
    bus.hub.forget(camera_id)


async def _wait_released(camera_id: str) -> None:
    from livecam.bus.hub import StatusListener

    hub = get_bus().hub
    if hub.loop is None:  # no running bus (tests of the service alone): nothing to wait for
        return
    listener = StatusListener()
    hub.listeners.add(listener)
    deadline = time.monotonic() + STOP_WAIT
    try:
        while time.monotonic() < deadline:
            status = hub.status(camera_id)
            released = status is None or status.state == "off"
            # A recording's "ended" event wakes the listener too: its file is then complete.
            if (
                released
                and not await Recording.objects.filter(
                    camera_id=camera_id, state="recording"
                ).aexists()
            ):
                return
            await listener.get(min(0.5, max(0.0, deadline - time.monotonic())))
    finally:
        hub.listeners.discard(listener)
