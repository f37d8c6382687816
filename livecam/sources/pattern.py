"""The test pattern: scrolling colour bars, a moving box, a clock and a frame counter."""

from __future__ import annotations

import math
import time

import numpy as np

from livecam import drawing
from livecam.sources.base import CaptureOptions, Image, SourceError, SourceSpec
from livecam.sources.pacing import DrawnSource

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


class PatternSource(DrawnSource):
    """Generate a moving pattern at ``options.fps`` (default 30) and size (default 640x480)."""

    name = "pattern"

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self._background: Image | None = None

    def prepare(self) -> None:
        """Build the background once: a frame is then a roll of it plus a little drawing."""
        columns = np.repeat(_BARS, -(-self.width // len(_BARS)), axis=0)[: self.width]
        # A vertical luminance ramp on top of the bars, so scaling artefacts are visible too.
        ramp = np.linspace(1.0, 0.55, self.height, dtype=np.float32)[:, None, None]
        self._background = (columns[None, :, :] * ramp).astype(np.uint8)

    def draw(self) -> Image:
        """Draw frame number `count` + 1 (the number shown on it)."""
        if self._background is None:
            raise SourceError(f"{self.name} source is not open")
        return self._draw(self._background)

    def _draw(self, background: Image) -> Image:
        w, h, n = self.width, self.height, self.count + 1
        # np.roll copies: every frame is a new array the caller may keep.
        image = np.roll(background, (n * 4) % w, axis=1)
        box = max(4, min(w, h) // 6)
        x = int((w - box) * (0.5 + 0.5 * math.sin(n / 25)))
        y = int((h - box) * (0.5 + 0.5 * math.cos(n / 19)))
        drawing.rectangle(image, (x, y), (x + box, y + box), (255, 255, 255), -1)
        now = time.time()
        clock = time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"
        scale = max(0.3, h / 480)
        bar = int(40 * scale)
        image[h - bar :] = 0  # a black band keeps the text readable on any bar colour
        size = max(8, int(22 * scale))
        drawing.text(image, (int(10 * scale), h - bar + (bar - size) // 2), f"{clock}  #{n}", size)
        return image
