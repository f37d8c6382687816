"""Frame, camera status, and the multipart part built once per frame and shared by viewers."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

BOUNDARY = b"frame"
CONTENT_TYPE = "multipart/x-mixed-replace; boundary=frame"
STREAM_PREAMBLE = b"--frame\r\n"
"""Sent once when a stream starts; every part then ends with the next boundary."""

# The boundary goes right after each JPEG, not before the next one: Chrome renders a part only
# when it sees the following boundary, so sending it late shows every frame one frame late.
_PART_TAIL = b"\r\n--frame\r\n"

STATES = ("starting", "online", "error", "stopping", "off", "idle")


def build_part(jpeg: bytes, captured_at: float) -> bytes:
    """Return one multipart part: headers, the JPEG and the boundary that closes it."""
    head = b"Content-Type: image/jpeg\r\nContent-Length: %d\r\nX-Timestamp: %.6f\r\n\r\n" % (
        len(jpeg),
        captured_at,
    )
    return b"".join((head, jpeg, _PART_TAIL))


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One encoded frame of one camera, with its part prebuilt for every viewer."""

    camera_id: str
    seq: int
    captured_at: float
    jpeg: bytes
    width: int
    height: int
    part: bytes = b""

    @classmethod
    def create(
        cls,
        camera_id: str,
        seq: int,
        jpeg: bytes,
        width: int,
        height: int,
        captured_at: float | None = None,
    ) -> Frame:
        """Build a frame and its multipart part (once, off the event loop)."""
        at = time.time() if captured_at is None else captured_at
        return cls(camera_id, seq, at, jpeg, width, height, build_part(jpeg, at))


@dataclasses.dataclass(frozen=True, slots=True)
class CameraStatus:
    """What capture says about one camera; small and JSON-safe so it can cross the bus."""

    camera_id: str
    state: str = "off"
    enabled: bool = False
    label: str = ""
    error: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    last_frame_at: float | None = None
    retry_at: float | None = None
    reconnects: int = 0
    video: str = ""
    """How the H.264 stream is made: "encoded", "passthrough", or "" (not known yet)."""
    video_reason: str = ""
    """Why the source's own H.264 is re-encoded rather than passed through."""
    video_error: str = ""
    """Why the H.264 stream is unavailable (MJPEG is unaffected)."""
    continuous: str = ""
    """Continuous recording: "off", "recording", "scheduled-idle", "paused" ("": not known)."""
    continuous_reason: str = ""
    """Why continuous recording is paused (disk full, low disk space, write error)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the status as a plain dict (for JSON)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CameraStatus:
        """Build a status from untrusted JSON data, validating every field's type."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            if name not in fields:
                continue
            kwargs[name] = _checked(name, value)
        if "camera_id" not in kwargs:
            raise ValueError("status without camera_id")
        if kwargs.get("state", "off") not in STATES:
            raise ValueError(f"unknown state {kwargs.get('state')!r}")
        return cls(**kwargs)


_TEXT_FIELDS = (
    "camera_id",
    "state",
    "label",
    "error",
    "video",
    "video_reason",
    "video_error",
    "continuous",
    "continuous_reason",
)


def _checked(name: str, value: Any) -> Any:
    """Return value if it has the type the status field expects, else raise ValueError."""
    if name in _TEXT_FIELDS:
        ok = isinstance(value, str) and len(value) <= 1000
    elif name == "enabled":
        ok = isinstance(value, bool)
    elif name in ("width", "height", "reconnects"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif name in ("last_frame_at", "retry_at"):
        ok = value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    else:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok:
        raise ValueError(f"bad value for {name}")
    return value
