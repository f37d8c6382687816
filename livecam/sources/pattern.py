"""The test pattern: scrolling colour bars, a moving box, a clock and a frame counter."""

from __future__ import annotations

import math
import threading
import time

import cv2
import numpy as np

from livecam.sources.base import (
    CaptureOptions,
    FrameSource,
    Image,
    SourceError,
    SourceFrame,
    SourceSpec,
)
from livecam.sources.pacing import Pacer

DEFAULT_SIZE = (640, 480)
DEFAULT_FPS = 30.0
_MIN_SIDE, _MAX_SIDE = 16, 8192
_BARS = np.array(
    [
        [192, 192, 192],
        [0, 192, 192],
        [192, 192, 0],
        [0, 192, 0],
        [192, 0, 192],
        [0, 0, 192],
        [192, 0, 0],
        [32, 32, 32],
    ],
    dtype=np.uint8,
)  # BGR: white, yellow, cyan, green, magenta, red, blue, black


class PatternSource(FrameSource):
    """Generate a moving pattern at ``options.fps`` (default 30) and size (default 640x480)."""

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.width = _side(options.width, DEFAULT_SIZE[0])
        self.height = _side(options.height, DEFAULT_SIZE[1])
        self.fps = options.fps if options.fps > 0 else DEFAULT_FPS
        self.count = 0
        """Frames delivered since open (drawn on the frame)."""
        self._closed = threading.Event()
        self._pacer = Pacer(self.fps)
        self._background: Image | None = None

    def open(self) -> None:
        """Build the background once: a frame is then a roll of it plus a little drawing."""
        columns = np.repeat(_BARS, -(-self.width // len(_BARS)), axis=0)[: self.width]
        # A vertical luminance ramp on top of the bars, so scaling artefacts are visible too.
        ramp = np.linspace(1.0, 0.55, self.height, dtype=np.float32)[:, None, None]
        self._background = (columns[None, :, :] * ramp).astype(np.uint8)
        self._closed.clear()
        self._pacer.reset()
        self.count = 0

    def read(self) -> SourceFrame:
        """Wait until the next frame is due (deadline pacing, no drift) and draw it."""
        if self._background is None:
            raise SourceError("pattern source is not open")
        if not self._pacer.wait(self._closed):
            raise SourceError("pattern source closed")
        self.count += 1
        return SourceFrame(self.width, self.height, image=self._draw(self._background))

    def _draw(self, background: Image) -> Image:
        w, h, n = self.width, self.height, self.count
        # np.roll copies: every frame is a new array the caller may keep.
        image = np.roll(background, (n * 4) % w, axis=1)
        box = max(4, min(w, h) // 6)
        x = int((w - box) * (0.5 + 0.5 * math.sin(n / 25)))
        y = int((h - box) * (0.5 + 0.5 * math.cos(n / 19)))
        cv2.rectangle(image, (x, y), (x + box, y + box), (255, 255, 255), -1)
        now = time.time()
        clock = time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"
        scale = max(0.3, h / 480)
        bar = int(40 * scale)
        image[h - bar :] = 0  # a black band keeps the text readable on any bar colour
        cv2.putText(
            image,
            f"{clock}  #{n}",
            (int(10 * scale), h - int(12 * scale)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (255, 255, 255),
            max(1, round(2 * scale)),
            cv2.LINE_AA,
        )
        return image

    def close(self) -> None:
        """Stop: a read waiting for its deadline returns at once with SourceError."""
        self._closed.set()


def _side(asked: int, default: int) -> int:
    return min(max(asked, _MIN_SIDE), _MAX_SIDE) if asked > 0 else default
