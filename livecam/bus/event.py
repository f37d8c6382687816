"""Camera events (motion, recording) that cross the bus beside statuses, JSON-safe."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

EVENT_KINDS = ("motion", "recording", "continuous")
_MAX_JSON = 4096


@dataclasses.dataclass(frozen=True, slots=True)
class CameraEvent:
    """Something that happened at a camera; ``data`` is the JSON sent to SSE clients."""

    camera_id: str
    kind: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return the event as a plain dict (for JSON)."""
        return {"camera_id": self.camera_id, "kind": self.kind, "data": self.data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CameraEvent:
        """Build an event from untrusted JSON data; raise ValueError when malformed."""
        camera_id, kind, payload = data.get("camera_id"), data.get("kind"), data.get("data")
        if not isinstance(camera_id, str) or not 0 < len(camera_id) <= 64:
            raise ValueError("event without a camera_id")
        if kind not in EVENT_KINDS or not isinstance(payload, dict):
            raise ValueError("malformed camera event")
        if len(json.dumps(payload)) > _MAX_JSON:
            raise ValueError("camera event too large")
        return cls(camera_id, kind, payload)
