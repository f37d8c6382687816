"""What the bridge knows of each camera: configuration from the database, state from the hub."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from livecam import control
from livecam.bus.hub import Hub
from livecam.models import Camera

VOLATILE = ("fps", "last_frame_at", "retry_at")
"""State fields that change with nearly every status: a change of these alone is not news."""


@dataclasses.dataclass(frozen=True, slots=True)
class Exposure:
    """One camera as the bridge sees it: the row, and what it may publish and accept."""

    camera: Camera
    exposed: bool = True
    commands: bool = False
    snapshot_interval: float = 0.0
    recording: bool = False

    @property
    def camera_id(self) -> str:
        """Return the camera's id."""
        return self.camera.id


async def load() -> dict[str, Exposure]:
    """Read every camera with its MQTT and recording settings (defaults where none are set)."""
    from livecam.motion.models import MotionSettings
    from livecam.mqtt.models import MqttSettings

    mqtt = {row.camera_id: row async for row in MqttSettings.objects.all()}
    recording = {
        cid
        async for cid in MotionSettings.objects.filter(recording=True).values_list(
            "camera_id", flat=True
        )
    }
    result = {}
    async for camera in Camera.objects.all():
        settings = mqtt.get(camera.id)
        result[camera.id] = Exposure(
            camera,
            exposed=settings.exposed if settings else True,
            commands=settings.commands if settings else False,
            snapshot_interval=settings.snapshot_interval if settings else 0.0,
            recording=camera.id in recording,
        )
    return result


def state_of(exposure: Exposure, hub: Hub) -> dict[str, Any]:
    """Return the camera's JSON state, as the API gives it (enabled from the newest status)."""
    status = hub.status(exposure.camera_id)
    return control.describe(
        exposure.camera, optimistic_enabled=status.enabled if status is not None else None
    )


def significant(state: dict[str, Any]) -> str:
    """Return what must change for the state to be published again."""
    return json.dumps({k: v for k, v in state.items() if k not in VOLATILE}, sort_keys=True)


def on_off(value: bool) -> bytes:
    """Return the ON/OFF payload of a boolean."""
    return b"ON" if value else b"OFF"
