"""Names of every Redis key and channel livecam uses, under one configurable prefix."""

from __future__ import annotations

import dataclasses
import re

CAMERA_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a camera id on the bus may look like (the model's slug, bounded)."""
VIDEO_CHANNEL = re.compile(r"video:([A-Za-z0-9_-]{1,64}):(\d{1,4})")
VIDEO_DEMAND = re.compile(r"([A-Za-z0-9_-]{1,64})@mp4:(\d{1,4})")
"""A viewer-count field for H.264 viewers of one width: ``<camera>@mp4:<width>``."""
VARIANT_CHANNEL = re.compile(r"variant:([A-Za-z0-9_-]{1,64}):(\d{1,4})")
VARIANT_DEMAND = re.compile(r"([A-Za-z0-9_-]{1,64})@jpeg:(\d{1,4})")
"""A viewer-count field for JPEG variant viewers of one width: ``<camera>@jpeg:<width>``."""


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
    def event_channel(self) -> str:
        """Channel of camera events (motion, recording; JSON) from capture to web processes."""
        return f"{self.prefix}event"

    @property
    def control_channel(self) -> str:
        """Channel of control messages (JSON) from web processes and the CLI to capture."""
        return f"{self.prefix}control"

    @property
    def demand_channel(self) -> str:
        """Channel of "viewer counts changed" hints (a camera id), so capture reacts at once."""
        return f"{self.prefix}demand"

    @property
    def ask_channel(self) -> str:
        """Channel of questions (JSON) from web processes to the capture owners (probe, devices)."""
        return f"{self.prefix}ask"

    def reply(self, request_id: str) -> str:
        """List holding the answers to one question (short TTL)."""
        return f"{self.prefix}reply:{request_id}"

    def claim(self, request_id: str) -> str:
        """Key one capture owner sets to take a question that only one of them should answer."""
        return f"{self.prefix}claim:{request_id}"

    @property
    def web_processes(self) -> str:
        """Set of the ids of processes that publish viewer counts."""
        return f"{self.prefix}web"

    def frame_channel(self, camera_id: str) -> str:
        """Channel of one camera's frames (binary envelopes)."""
        return f"{self.prefix}frame:{camera_id}"

    def video_channel(self, camera_id: str, width: int) -> str:
        """Channel of one H.264 stream's packets (binary envelopes, every one in order)."""
        return f"{self.prefix}video:{camera_id}:{width}"

    def gop(self, camera_id: str, width: int) -> str:
        """List of one H.264 stream's packets since its last keyframe (short TTL)."""
        return f"{self.prefix}gop:{camera_id}:{width}"

    def stream_of_video_channel(self, channel: str) -> tuple[str, int] | None:
        """Return (camera id, width) of a video channel name, None for any other channel."""
        match = VIDEO_CHANNEL.fullmatch(channel.removeprefix(self.prefix))
        if not channel.startswith(self.prefix) or match is None:
            return None
        return match[1], int(match[2])

    def variant_channel(self, camera_id: str, width: int) -> str:
        """Channel of one JPEG variant's frames (binary envelopes, like full-size frames)."""
        return f"{self.prefix}variant:{camera_id}:{width}"

    def latest_variant(self, camera_id: str, width: int) -> str:
        """Key of one JPEG variant's newest frame (short TTL), for a process that joins late."""
        return f"{self.prefix}latest-variant:{camera_id}:{width}"

    def stream_of_variant_channel(self, channel: str) -> tuple[str, int] | None:
        """Return (camera id, width) of a variant channel name, None for any other channel."""
        match = VARIANT_CHANNEL.fullmatch(channel.removeprefix(self.prefix))
        if not channel.startswith(self.prefix) or match is None:
            return None
        return match[1], int(match[2])

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
