"""The source interface: how a capture worker obtains frames from one camera."""

from __future__ import annotations

import abc
import dataclasses

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""A decoded frame: height x width x 3, BGR, uint8 (OpenCV's layout)."""


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


@dataclasses.dataclass(slots=True)
class SourceFrame:
    """One frame as a source delivers it: a decoded image, the camera's own JPEG, or both."""

    width: int
    height: int
    image: Image | None = None
    jpeg: bytes | None = None


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

    def __enter__(self) -> FrameSource:
        """Open the source for a ``with`` block."""
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the source at the end of a ``with`` block."""
        self.close()
