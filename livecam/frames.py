"""Frame, camera status, and the multipart part built once per frame and shared by viewers."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
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


class Frame:
    """One frame of one camera: its JPEG and multipart part, made once and shared by viewers.

    Capture usually encodes the JPEG at once. When nothing in the process wants it (only H.264
    viewers, or none), it hands over an ``encode`` callable instead, and the JPEG and part are
    made on first use (a snapshot, a first MJPEG viewer), once, by whichever thread asks.
    """

    __slots__ = ("_encode", "_jpeg", "_part", "camera_id", "captured_at", "height", "seq", "width")

    def __init__(
        self,
        camera_id: str,
        seq: int,
        captured_at: float,
        jpeg: bytes | None,
        width: int,
        height: int,
        part: bytes = b"",
        encode: Callable[[], bytes] | None = None,
    ) -> None:
        self.camera_id = camera_id
        self.seq = seq
        self.captured_at = captured_at
        self.width = width
        self.height = height
        self._jpeg = jpeg
        self._part = part
        self._encode = encode

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

    @classmethod
    def deferred(
        cls,
        camera_id: str,
        seq: int,
        encode: Callable[[], bytes],
        width: int,
        height: int,
        captured_at: float,
    ) -> Frame:
        """Build a frame whose JPEG ``encode()`` makes when it is first asked for."""
        return cls(camera_id, seq, captured_at, None, width, height, encode=encode)

    @property
    def jpeg(self) -> bytes:
        """Return the JPEG (encoded now if it was deferred)."""
        jpeg = self._jpeg
        return jpeg if jpeg is not None else self._make()

    @property
    def part(self) -> bytes:
        """Return the multipart part: headers, the JPEG and the closing boundary."""
        part = self._part
        if not part:
            self._make()
            part = self._part
        return part

    @property
    def encoded(self) -> bool:
        """Return whether the JPEG exists yet (False: deferred and nobody asked)."""
        return self._jpeg is not None

    def _make(self) -> bytes:
        with _DEFERRED:  # two threads asking at once must not both encode
            jpeg = self._jpeg
            if jpeg is None:
                if self._encode is None:
                    raise ValueError("the frame has neither a JPEG nor an encode")
                jpeg = self._encode()
                self._part = build_part(jpeg, self.captured_at)
                self._jpeg, self._encode = jpeg, None  # the picture it held can go
            elif not self._part:
                self._part = build_part(jpeg, self.captured_at)
            return jpeg


_DEFERRED = threading.Lock()


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
