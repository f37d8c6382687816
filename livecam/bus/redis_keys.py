"""Names of every Redis key and channel livecam uses, under one configurable prefix."""

from __future__ import annotations

import dataclasses
import re

CAMERA_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a camera id on the bus may look like (the model's slug, bounded)."""


@dataclasses.dataclass(frozen=True, slots=True)
class RedisKeys:
    """Build key and channel names; several installations may share one Redis by prefix."""

    prefix: str = "livecam:"

    @property
    def status_channel(self) -> str:
        """Channel of camera statuses (JSON), heard by every process."""
        return f"{self.prefix}status"

    @property
    def statuses(self) -> str:
        """Hash camera_id → newest status (JSON), read by a web process when it (re)connects."""
        return f"{self.prefix}statuses"

    @property
    def control_channel(self) -> str:
        """Channel of control messages (JSON) from web processes and the CLI to capture."""
        return f"{self.prefix}control"

    @property
    def demand_channel(self) -> str:
        """Channel of "viewer counts changed" hints (a camera id), so capture reacts at once."""
        return f"{self.prefix}demand"

    @property
    def web_processes(self) -> str:
        """Set of the ids of processes that publish viewer counts."""
        return f"{self.prefix}web"

    def frame_channel(self, camera_id: str) -> str:
        """Channel of one camera's frames (binary envelopes)."""
        return f"{self.prefix}frame:{camera_id}"

    def latest(self, camera_id: str) -> str:
        """Key of one camera's newest frame (short TTL), so a new viewer gets a frame at once."""
        return f"{self.prefix}latest:{camera_id}"

    def viewers(self, process_id: str) -> str:
        """Hash camera_id → viewers of one web process (expires if the process dies)."""
        return f"{self.prefix}viewers:{process_id}"

    def lease(self, camera_id: str) -> str:
        """Key holding the token of the capture process that owns a camera."""
        return f"{self.prefix}lease:{camera_id}"

    def camera_of_frame_channel(self, channel: str) -> str | None:
        """Return the camera id of a frame channel name, None for any other channel."""
        head = f"{self.prefix}frame:"
        if not channel.startswith(head):
            return None
        camera_id = channel[len(head) :]
        return camera_id if CAMERA_ID.fullmatch(camera_id) else None
