"""Enable, disable and describe cameras: the one place that changes camera state."""

from __future__ import annotations

import time
from typing import Any

from livecam import conf
from livecam.bus import ControlMessage, get_bus
from livecam.frames import CameraStatus
from livecam.models import Camera


class CameraNotFoundError(LookupError):
    """No camera with this id (or the user may not know about it)."""


async def set_enabled(camera_id: str, enabled: bool) -> dict[str, Any]:
    """Persist ON/OFF, tell capture, announce the change; return the camera's new state."""
    camera = await Camera.objects.filter(pk=camera_id).afirst()
    if camera is None:
        raise CameraNotFoundError(camera_id)
    bus = get_bus()
    if camera.enabled != enabled:
        camera.enabled = enabled
        await camera.asave(update_fields=["enabled", "updated_at"])
        # Announce at once so every open page shows the switch; capture confirms shortly.
        state = ("idle" if camera.on_demand else "starting") if enabled else "stopping"
        bus.publish_status(
            CameraStatus(
                camera.id,
                state=state,
                enabled=enabled,
                label=camera.label,
                width=camera.width,
                height=camera.height,
            )
        )
    await bus.send_control(ControlMessage("changed", camera.id))
    return describe(camera, optimistic_enabled=enabled)


def notify_changed(camera_id: str) -> None:
    """Tell capture (synchronously, e.g. from the CLI or admin) that a camera changed."""
    from asgiref.sync import async_to_sync

    async_to_sync(get_bus().send_control)(ControlMessage("changed", camera_id))


def notify_removed(camera_id: str) -> None:
    """Tell capture and every web process (synchronously) that a camera was deleted.

    Capture stops it and the web processes end its streams at once, rather than at the next
    reconcile or access re-check.
    """
    from asgiref.sync import async_to_sync

    async_to_sync(get_bus().send_control)(ControlMessage("removed", camera_id))


def describe(camera: Camera, optimistic_enabled: bool | None = None) -> dict[str, Any]:
    """Return the JSON state of a camera: configuration merged with what capture reports."""
    bus = get_bus()
    status = bus.hub.status(camera.id)
    enabled = camera.enabled if optimistic_enabled is None else optimistic_enabled
    return _merge(
        camera.id,
        camera.label,
        enabled,
        camera.on_demand,
        status,
        bus.viewer_counts().get(camera.id, 0),
        camera.width,
        camera.height,
    ) | {"bitrate": camera.bitrate, "keyframe_interval": camera.keyframe_interval}


def describe_status(status: CameraStatus) -> dict[str, Any]:
    """Return the JSON state of a camera from a status alone (for events)."""
    bus = get_bus()
    return _merge(
        status.camera_id,
        status.label,
        status.enabled,
        None,
        status,
        bus.viewer_counts().get(status.camera_id, 0),
        status.width,
        status.height,
    )


def _merge(
    camera_id: str,
    label: str,
    enabled: bool,
    on_demand: bool | None,
    status: CameraStatus | None,
    viewers: int,
    width: int,
    height: int,
) -> dict[str, Any]:
    if status is None:
        state = ("idle" if on_demand else "starting") if enabled else "off"
        status = CameraStatus(camera_id, state=state, enabled=enabled, label=label)
    state = status.state
    if not enabled and state not in ("stopping", "off"):
        state = "off"
    elif enabled and state in ("stopping", "off"):
        # Switched ON a moment ago: capture has not reported yet (its status is the old one).
        state = "idle" if on_demand else "starting"
    slot = get_bus().hub.slots.get(camera_id)
    frame = slot.frame if slot is not None else None
    last_frame_at = frame.captured_at if frame is not None else status.last_frame_at
    fresh = last_frame_at is not None and time.time() - last_frame_at < conf.get("STALE_AFTER")
    data: dict[str, Any] = {
        "id": camera_id,
        "label": label or status.label,
        "enabled": enabled,
        "online": state == "online" and fresh,
        "state": state,
        "error": status.error if state == "error" else "",
        "width": status.width or width,
        "height": status.height or height,
        "fps": status.fps if state == "online" else 0.0,
        "viewers": viewers,
        "last_frame_at": last_frame_at,
        "retry_at": status.retry_at if state == "error" else None,
        "reconnects": status.reconnects,
        "video": status.video or "encoded",
        "video_reason": status.video_reason,
        "video_error": status.video_error,
        "continuous": status.continuous or "off",
        "continuous_reason": status.continuous_reason,
    }
    if on_demand is not None:
        data["on_demand"] = on_demand
    return data


async def settings_changed(camera_id: str) -> None:
    """Tell capture that a camera's settings were saved, so it applies them at once."""
    await get_bus().send_control(ControlMessage("changed", camera_id))
