"""The source interface: how a capture worker obtains frames from one camera."""

from __future__ import annotations

import abc
import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""A decoded frame: height x width x 3, BGR, uint8 (FFmpeg's bgr24, libjpeg-turbo's BGR)."""


class SourceError(Exception):
    """A source could not be opened or read; the message is shown to users as the reason."""


@dataclasses.dataclass(frozen=True, slots=True)
class SourceSpec:
    """A parsed, canonical source: its kind and the kind-specific target."""

    kind: str
    target: str

    def __str__(self) -> str:
        """Return the canonical text form, which parses back to an equal spec."""
        if self.kind == "pattern":
            return "pattern:"
        if self.kind in ("device", "file"):
            return f"{self.kind}:{self.target}"
        if self.kind == "mjpeg":
            return f"mjpeg+{self.target}"
        return self.target


@dataclasses.dataclass(frozen=True, slots=True)
class CaptureOptions:
    """What the camera's configuration asks of its source (0 means the source's own value)."""

    width: int = 640
    height: int = 480
    fps: float = 30.0


@dataclasses.dataclass(frozen=True, slots=True)
class H264Sample:
    """The camera's own H.264 picture behind a decoded frame, for pass-through (no encode)."""

    units: list[bytes]
    """NAL units (no start codes); keyframes carry the stream's SPS and PPS in front."""
    keyframe: bool
    index: int
    """Running number of the picture in the source (a gap: a picture was not delivered)."""
    profile: str
    """The stream's H.264 profile as FFmpeg names it ("Main", "High 4:4:4 Predictive", …)."""
    pix_fmt: str
    reorders: bool
    """True when the stream has B-frames (pictures out of order): unfit for pass-through."""
    interlaced: bool = False


@dataclasses.dataclass(slots=True)
class SourceFrame:
    """One frame as a source delivers it: a decoded image, the camera's own JPEG, or both."""

    width: int
    height: int
    image: Image | None = None
    jpeg: bytes | None = None
    h264: H264Sample | None = None
    """The camera's own H.264 picture, when the source delivers H.264 (files, network)."""
    picture: Any = None
    """The YUV picture behind ``image``: the decoder's own (a PyAV ``VideoFrame``, often
    YUV 4:2:0), or a callable that makes it (a drawn source's `yuv.PatchedPicture`). The
    H.264 encoder takes it as it is, without converting ``image`` back from BGR."""


def decoded(picture: Any, h264: H264Sample | None = None) -> SourceFrame:
    """Return the source frame of a picture PyAV decoded: its BGR image, and the picture."""
    image: Image = picture.to_ndarray(format="bgr24")
    height, width = image.shape[:2]
    return SourceFrame(width, height, image=image, h264=h264, picture=picture)


@dataclasses.dataclass(frozen=True, slots=True)
class Control:
    """One adjustable picture control of a source (V4L2 or software): its type and range."""

    name: str
    type: str  # "integer", "boolean" or "menu"
    minimum: int
    maximum: int
    step: int = 1
    default: int = 0
    menu: tuple[tuple[int, str], ...] = ()

    def check(self, value: object) -> int:
        """Return the value as an int, or raise ValueError naming the allowed range."""
        if isinstance(value, bool) and self.type == "boolean":
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{self.name} takes a whole number")
        if self.type == "menu" and self.menu and value not in dict(self.menu):
            choices = ", ".join(str(index) for index, _ in self.menu)
            raise ValueError(f"{self.name} takes one of {choices}")
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"{self.name} must be from {self.minimum} to {self.maximum}")
        return value


class FrameSource(abc.ABC):
    """Deliver frames from one camera; blocking, used by exactly one capture thread.

    ``read`` blocks until the next frame is due and paces itself at the source's natural
    rate (a file at its frame rate, the pattern at ``options.fps``), so the capture worker
    never spins. ``close`` may be called from another thread to abandon a blocked read.
    """

    passes_jpeg: bool = False
    """True when ``read`` returns the camera's own JPEG (no decode needed to stream it)."""

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        """Remember the spec and options; open nothing yet."""
        self.spec = spec
        self.options = options

    @abc.abstractmethod
    def open(self) -> None:
        """Acquire the device, file or connection; raise SourceError with a reason."""

    @abc.abstractmethod
    def read(self) -> SourceFrame:
        """Return the next frame; raise SourceError when the source fails or ends for good."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release everything; idempotent and safe to call from another thread."""

    @property
    def codec(self) -> str:
        """Return what the source delivers: "mjpeg" when its JPEG passes through, else "raw"."""
        return "mjpeg" if self.passes_jpeg else "raw"

    def controls(self) -> list[Control]:
        """Return the picture controls of the open source (none by default)."""
        return []

    def set_controls(self, values: dict[str, int]) -> None:
        """Apply control values by name (unknown names are ignored); called after open."""
        return  # a source without controls has nothing to apply

    def __enter__(self) -> FrameSource:
        """Open the source for a ``with`` block."""
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the source at the end of a ``with`` block."""
        self.close()
