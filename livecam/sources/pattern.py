"""The test pattern: scrolling colour bars, a moving box, a clock and a frame counter."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from livecam import drawing
from livecam.sources.base import CaptureOptions, Image, SourceError, SourceSpec
from livecam.sources.pacing import DrawnSource
from livecam.sources.yuv import Area, PatchedPicture, Planes, fits, planes_of

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
        self._planes: Planes | None = None
        """The background as YUV 4:2:0 (None when a side is odd)."""
        self._shift = 0
        self._areas: list[Area] = []

    def prepare(self) -> None:
        """Build the background once: a frame is then a roll of it plus a little drawing."""
        columns = np.repeat(_BARS, -(-self.width // len(_BARS)), axis=0)[: self.width]
        # A vertical luminance ramp on top of the bars, so scaling artefacts are visible too.
        ramp = np.linspace(1.0, 0.55, self.height, dtype=np.float32)[:, None, None]
        self._background = (columns[None, :, :] * ramp).astype(np.uint8)
        # Frames move the background by 4 columns per frame (even: whole chroma blocks), so
        # H.264 gets its picture from these planes plus the drawn areas (`picture`).
        self._planes = planes_of(self._background) if fits(self.width, self.height) else None

    def draw(self) -> Image:
        """Draw frame number `count` + 1 (the number shown on it)."""
        if self._background is None:
            raise SourceError(f"{self.name} source is not open")
        return self._draw(self._background)

    def picture(self, image: Image) -> Any:
        """Return what makes the frame's YUV picture: the moved planes plus the drawn areas."""
        if self._planes is None:
            return None
        return PatchedPicture(self._planes, self._shift, image, self._areas)

    def _draw(self, background: Image) -> Image:
        w, h, n = self.width, self.height, self.count + 1
        self._shift = (n * 4) % w
        # np.roll copies: every frame is a new array the caller may keep.
        image = np.roll(background, self._shift, axis=1)
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
        self._areas = [(x, y, x + box + 1, y + box + 1), (0, h - bar, w, h)]
        return image
