"""Commands from the broker (``…/power/set``, ``…/recording/set``): checked, then applied.

They go through the same control path as the API: persisted, told to every capture process.
"""

from __future__ import annotations

import logging
from typing import Any

from livecam import control
from livecam.mqtt.metrics import MQTT_COMMANDS, MQTT_REJECTED
from livecam.mqtt.topics import Topics
from livecam.once import LogOnce

logger = logging.getLogger(__name__)
_log = LogOnce(logger)

MAX_COMMAND_BYTES = 16
"""A command is ``ON`` or ``OFF``: anything longer is refused unread."""


class Rejected(Exception):
    """A command that is not applied; ``reason`` is the metric label."""

    def __init__(self, reason: str, camera_id: str, why: str) -> None:
        super().__init__(why)
        self.reason, self.camera_id = reason, camera_id


def parse(topics: Topics, topic: str, payload: bytes, retained: bool) -> tuple[str, str, bool]:
    """Return (camera id, switch, on) of a command; raise Rejected for anything else."""
    parsed = topics.parse_command(topic)
    if parsed is None:
        raise Rejected("malformed", "", "not a command topic")
    camera_id, switch = parsed
    if retained:
        # A retained command would be replayed at every reconnect: never act on one.
        raise Rejected("retained", camera_id, "retained command ignored (publish without retain)")
    if len(payload) > MAX_COMMAND_BYTES:
        raise Rejected("oversized", camera_id, f"payload of {len(payload)} bytes")
    word = payload.decode("ascii", errors="replace").strip().upper()
    if word not in ("ON", "OFF"):
        raise Rejected("malformed", camera_id, "payload is not ON or OFF")
    return camera_id, switch, word == "ON"


async def apply(camera_id: str, switch: str, on: bool) -> dict[str, Any] | None:
    """Apply a parsed command if the camera exists, is exposed and accepts commands.

    Reads the camera's settings afresh: an admin who just turned commands off is obeyed at
    once. Returns the camera's new state for ``power`` (None for ``recording``).
    """
    from livecam.models import Camera
    from livecam.mqtt.models import MqttSettings
    from livecam.recording.control import set_recording

    if not await Camera.objects.filter(pk=camera_id).aexists():
        raise Rejected("unknown", camera_id, "no such camera")
    settings = await MqttSettings.objects.filter(pk=camera_id).afirst()
    if settings is not None and not settings.exposed:
        raise Rejected("unexposed", camera_id, "camera is not exposed to MQTT")
    if settings is None or not settings.commands:
        raise Rejected("commands_off", camera_id, "camera accepts no MQTT commands")
    MQTT_COMMANDS.labels(switch).inc()
    logger.info("mqtt: %s %s for camera %s", switch, "ON" if on else "OFF", camera_id)
    if switch == "power":
        return await control.set_enabled(camera_id, on)
    await set_recording(camera_id, on)
    return None


def refuse(error: Rejected) -> None:
    """Count a refused command and log it once per reason and camera."""
    MQTT_REJECTED.labels(error.reason).inc()
    _log.warning(
        (error.reason, error.camera_id),
        "mqtt: command refused (%s) for camera %r: %s (repeats are not logged)",
        error.reason,
        error.camera_id,
        error,
    )
