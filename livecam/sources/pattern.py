"""The test pattern: moving colour bars, a moving box, a clock and a frame counter."""

from __future__ import annotations

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
        self.width = options.width or 640
        self.height = options.height or 480
        self.fps = options.fps or 30.0
        self._closed = threading.Event()
        self._count = 0
        self._next_due = 0.0
        self._background: Image | None = None

    def open(self) -> None:
        """Build the background once; generating a frame is then a roll and some drawing."""
        columns = np.repeat(_BARS, -(-self.width // len(_BARS)), axis=0)[: self.width]
        self._background = np.ascontiguousarray(
            np.broadcast_to(columns, (self.height, self.width, 3))
        )
        self._next_due = time.monotonic()
        self._closed.clear()

    def read(self) -> SourceFrame:
        """Wait until the next frame is due (deadline pacing, no drift) and draw it."""
        if self._background is None:
            raise SourceError("pattern source is not open")
        period = 1.0 / self.fps
        self._next_due += period
        delay = self._next_due - time.monotonic()
        if delay < -period:  # fell behind (a slow machine): skip ahead instead of bursting
            self._next_due = time.monotonic()
        elif self._closed.wait(max(0.0, delay)):
            raise SourceError("pattern source closed")
        self._count += 1
        return SourceFrame(self.width, self.height, image=self._draw())

    def _draw(self) -> Image:
        if self._background is None:
            raise SourceError("pattern source is not open")
        w, h, n = self.width, self.height, self._count
        image = np.roll(self._background, (n * 4) % w, axis=1)
        box = max(8, min(w, h) // 6)
        x = int((w - box) * (0.5 + 0.5 * np.sin(n / 25)))
        y = int((h - box) * (0.5 + 0.5 * np.cos(n / 19)))
        cv2.rectangle(image, (x, y), (x + box, y + box), (255, 255, 255), -1)
        now = time.time()
        clock = time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"
        scale = max(0.4, h / 480)
        thickness = max(1, round(2 * scale))
        cv2.rectangle(image, (0, h - int(40 * scale)), (w, h), (0, 0, 0), -1)
        cv2.putText(
            image,
            f"{clock}  #{n}",
            (int(10 * scale), h - int(12 * scale)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (255, 255, 255),
            thickness,
            cv2.LINE_AA,
        )
        return image

    def close(self) -> None:
        """Stop: a read waiting for its deadline returns at once."""
        self._closed.set()
