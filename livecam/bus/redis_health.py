"""What web viewers see when the Redis side fails: the bus is gone, or no capture owns a camera."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from livecam.bus.hub import Hub
from livecam.bus.redis_keys import RedisKeys
from livecam.frames import CameraStatus

UNAVAILABLE = "bus unavailable"
"""The reason viewers see ("NO SIGNAL — bus unavailable") while Redis cannot be reached."""
NO_OWNER = "no capture process"
"""The reason viewers see while no capture process holds the camera's lease."""


def degrade(hub: Hub, camera_ids: Iterable[str], reason: str) -> None:
    """Put cameras in state error with `reason` (viewers get the placeholder); OFF stays OFF."""
    for camera_id in camera_ids:
        slot = hub.slots.get(camera_id)
        if slot is None:
            continue
        old = slot.status
        if (slot.heard and old.state == "off") or old.error == reason:
            continue  # switching an OFF camera on needs the bus anyway: it is still OFF
        hub.deliver_status(
            CameraStatus(
                camera_id,
                state="error",
                enabled=old.enabled,
                label=old.label,
                error=reason,
                width=old.width,
                height=old.height,
            )
        )


class OwnerCheck:
    """Flag watched cameras whose capture lease stayed missing over two checks in a row."""

    def __init__(self, keys: RedisKeys, hub: Hub) -> None:
        self.keys, self.hub = keys, hub
        self._missing: set[str] = set()

    async def run(self, client: Any, watched: Iterable[str]) -> None:
        """Check the leases of the watched cameras once."""
        cameras = sorted(watched)
        if not cameras:
            self._missing = set()
            return
        pipe = client.pipeline(transaction=False)
        for camera_id in cameras:
            pipe.exists(self.keys.lease(camera_id))
        missing = {c for c, held in zip(cameras, await pipe.execute(), strict=True) if not held}
        # Twice in a row: a camera added a moment ago gets its owner within a lease period.
        degrade(self.hub, missing & self._missing, NO_OWNER)
        self._missing = missing
