"""Deadline pacing for sources that produce frames on their own clock (pattern, files)."""

from __future__ import annotations

import threading
import time
from typing import Any

from livecam.sources.adjust import SOFTWARE_CONTROLS, adjust
from livecam.sources.base import (
    CaptureOptions,
    Control,
    FrameSource,
    Image,
    SourceError,
    SourceFrame,
    SourceSpec,
)

DEFAULT_SIZE = (640, 480)
DEFAULT_FPS = 30.0
_MIN_SIDE, _MAX_SIDE = 16, 8192


class Pacer:
    """Release one frame per period on time.monotonic, without drift, and never in bursts.

    Frames are due at fixed multiples of the period, so a late frame does not push the
    following ones back (no drift). A caller that falls behind by more than a period skips
    ahead to now instead of catching up with a burst of frames.
    """

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps
        self._due: float | None = None

    def retime(self, fps: float) -> None:
        """Change the rate, keeping the schedule: the next frame is due a period after the last."""
        # A file that loops must not send the first frames of its next pass at once: a rate cap
        # would drop one, and a dropped H.264 picture ends pass-through.
        if self._due is not None:
            self._due += 1.0 / fps - self.period
        self.period = 1.0 / fps

    def reset(self) -> None:
        """Make the next frame due at once (after open or a pause)."""
        self._due = None

    def wait(self, stop: threading.Event) -> bool:
        """Block until the next frame is due; return False at once when ``stop`` is set."""
        now = time.monotonic()
        if self._due is None or self._due < now - self.period:
            self._due = now
        delay = self._due - now
        # Event.wait, not sleep: close() from another thread must end the wait at once.
        if stop.wait(delay) if delay > 0 else stop.is_set():
            return False
        self._due += self.period
        return True


class DrawnSource(FrameSource):
    """A source that draws its own frames, paced at its frame rate.

    ``options.fps`` defaults to 30 and the size to 640x480 (each side 16 to 8192); with one
    side given and the other 0, the other follows the default's 4:3 aspect ratio.
    Subclasses draw what frames share once in `prepare` (called by `open`) and each frame
    in `draw`; `count` is the number of frames delivered since open.
    """

    name = "drawn"
    """The source's kind, for error messages."""

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.width, self.height = drawn_size(options.width, options.height)
        self.fps = options.fps if options.fps > 0 else DEFAULT_FPS
        self.count = 0
        """Frames delivered since open."""
        self._closed = threading.Event()
        self._pacer = Pacer(self.fps)
        self._open = False
        self._adjust: dict[str, int] = {}

    def controls(self) -> list[Control]:
        """Return the software controls (brightness, contrast)."""
        return list(SOFTWARE_CONTROLS)

    def set_controls(self, values: dict[str, int]) -> None:
        """Apply brightness and contrast to the following frames."""
        names = {control.name for control in SOFTWARE_CONTROLS}
        self._adjust = {name: value for name, value in values.items() if name in names}

    def prepare(self) -> None:
        """Draw what every frame shares (once per open)."""

    def draw(self) -> Image:
        """Return the next frame (frame number `count`, counting from 0)."""
        raise NotImplementedError

    def picture(self, image: Image) -> Any:
        """Return what makes the YUV 4:2:0 picture of the frame just drawn, or None.

        A callable that returns a PyAV ``VideoFrame`` when the source can make the picture
        cheaper than converting the whole BGR ``image`` (see `livecam.sources.yuv`).
        """
        return None

    def open(self) -> None:
        """Prepare the drawing and start pacing from now."""
        self.prepare()
        self._open = True
        self._closed.clear()
        self._pacer.reset()
        self.count = 0

    def read(self) -> SourceFrame:
        """Wait until the next frame is due (deadline pacing, no drift) and draw it."""
        if not self._open:
            raise SourceError(f"{self.name} source is not open")
        if not self._pacer.wait(self._closed):
            raise SourceError(f"{self.name} source closed")
        drawn = self.draw()
        image = adjust(drawn, self._adjust)
        # Brightness or contrast changed every pixel: H.264 then converts the image itself.
        picture = self.picture(image) if image is drawn else None
        self.count += 1
        return SourceFrame(self.width, self.height, image=image, picture=picture)

    def close(self) -> None:
        """Stop: a read waiting for its deadline returns at once with SourceError."""
        self._closed.set()


def drawn_size(width: int, height: int) -> tuple[int, int]:
    """Return the size a drawn source uses: 0 sides keep the default's aspect ratio (4:3)."""
    default_w, default_h = DEFAULT_SIZE
    if width > 0 and height <= 0:
        height = max(_MIN_SIDE, round(_side(width, default_w) * default_h / default_w))
    elif height > 0 and width <= 0:
        width = max(_MIN_SIDE, round(_side(height, default_h) * default_w / default_h))
    return _side(width, default_w), _side(height, default_h)


def _side(asked: int, default: int) -> int:
    return min(max(asked, _MIN_SIDE), _MAX_SIDE) if asked > 0 else default
