"""Topic names of the bridge (a public contract: keep them) and parsing of command topics."""

from __future__ import annotations

import dataclasses
import re

CAMERA_ID = re.compile(r"[A-Za-z0-9_-]{1,50}")
"""A camera id as the model allows it (a slug)."""

COMMANDS = ("power", "recording")
"""Switches that take ``…/<switch>/set`` commands."""


@dataclasses.dataclass(frozen=True, slots=True)
class Topics:
    """Build the topic names under one prefix."""

    prefix: str = "livecam"

    @property
    def status(self) -> str:
        """Return ``<prefix>/status``: ``online``/``offline`` (retained; the last will)."""
        return f"{self.prefix}/status"

    def state(self, camera_id: str) -> str:
        """Return ``<prefix>/<camera>/state``: the camera's JSON state (retained)."""
        return f"{self.prefix}/{camera_id}/state"

    def power(self, camera_id: str) -> str:
        """Return ``<prefix>/<camera>/power``: ``ON``/``OFF`` (retained)."""
        return f"{self.prefix}/{camera_id}/power"

    def motion(self, camera_id: str) -> str:
        """Return ``<prefix>/<camera>/motion``: ``ON``/``OFF`` (retained)."""
        return f"{self.prefix}/{camera_id}/motion"

    def recording(self, camera_id: str) -> str:
        """Return ``<prefix>/<camera>/recording``: ``ON``/``OFF`` (retained)."""
        return f"{self.prefix}/{camera_id}/recording"

    def snapshot(self, camera_id: str) -> str:
        """Return ``<prefix>/<camera>/snapshot``: a JPEG (retained)."""
        return f"{self.prefix}/{camera_id}/snapshot"

    def command(self, camera_id: str, switch: str) -> str:
        """Return ``<prefix>/<camera>/<switch>/set``."""
        return f"{self.prefix}/{camera_id}/{switch}/set"

    def command_filters(self) -> list[str]:
        """Return the subscriptions that receive every command."""
        return [f"{self.prefix}/+/{switch}/set" for switch in COMMANDS]

    def retained(self, camera_id: str) -> list[str]:
        """Return every retained topic of a camera (cleared when it is no longer exposed).

        The state topic comes last: a withdrawal clears it last, so a client that sees the
        state emptied knows the camera's other topics are gone too.
        """
        return [
            self.power(camera_id),
            self.motion(camera_id),
            self.recording(camera_id),
            self.snapshot(camera_id),
            self.state(camera_id),
        ]

    def parse_command(self, topic: str) -> tuple[str, str] | None:
        """Return (camera id, switch) of a command topic, None for anything else."""
        head = f"{self.prefix}/"
        if not topic.startswith(head):
            return None
        parts = topic[len(head) :].split("/")
        if len(parts) != 3 or parts[2] != "set" or parts[1] not in COMMANDS:
            return None
        return (parts[0], parts[1]) if CAMERA_ID.fullmatch(parts[0]) else None
