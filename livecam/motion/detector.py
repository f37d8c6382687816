"""Find motion in a downscaled grayscale copy: running-average background, threshold, area.

The background is a running average, so slow lighting drifts (clouds, dusk) are absorbed. A
sudden global change (lights switched on) is compensated by the brightness gain, and a change
that still covers most of the frame is taken as lighting, not motion: the background is
re-learnt instead of firing.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from livecam.capture.processing import resize
from livecam.motion.regions import blur5, dilate, regions
from livecam.sources.base import Image

ANALYSIS_WIDTH = 160
"""Width of the grayscale copy analysed (enough for people and cars, cheap at any rate)."""

Box = tuple[float, float, float, float]
"""x, y, width, height as fractions of the frame (independent of the analysis size)."""

_Gray = npt.NDArray[np.uint8]
_Float = npt.NDArray[np.float32]
_Mask = npt.NDArray[np.bool_]
_LUMA = np.array([0.114, 0.587, 0.299], dtype=np.float32)
"""BT.601 weights of B, G and R in luma."""


@dataclasses.dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Sensitivity of one camera's detector."""

    threshold: int = 25
    """Grey-level difference (1-255) from the background that counts as changed."""
    min_area: float = 0.5
    """Smallest moving region that counts, in percent of the frame."""
    mask: tuple[Box, ...] = ()
    """Regions to ignore (trees, a road, a clock), as fractions of the frame."""
    learning_rate: float = 0.05
    """Weight of each analysed frame in the background (higher adapts faster)."""
    global_change: float = 0.6
    """A change over more than this share of the frame is lighting, not motion."""


@dataclasses.dataclass(frozen=True, slots=True)
class Detection:
    """The result of one analysis: whether there was motion, where, and how much."""

    motion: bool
    area: float = 0.0
    """Share of the frame (0-1) covered by the regions that counted."""
    box: Box | None = None
    lighting: bool = False
    """True when a global change (lighting) was seen and absorbed."""


def parse_mask(text: str) -> tuple[Box, ...]:
    """Parse ``x,y,w,h;…`` rectangles in percent of the frame; raise ValueError when bad."""
    boxes = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        parts = item.split(",")
        if len(parts) != 4:
            raise ValueError(f"a mask rectangle is x,y,w,h in percent, not {item[:20]!r}")
        x, y, w, h = (float(p) for p in parts)
        if not all(0 <= v <= 100 for v in (x, y, w, h)) or w == 0 or h == 0:
            raise ValueError("mask values are percentages between 0 and 100 (w, h above 0)")
        boxes.append((x / 100, y / 100, min(w, 100 - x) / 100, min(h, 100 - y) / 100))
    if len(boxes) > 32:
        raise ValueError("at most 32 mask rectangles")
    return tuple(boxes)


def to_gray(image: Image) -> _Gray:
    """Return the small grayscale copy the detector analyses (blurred against sensor noise)."""
    height, width = image.shape[:2]
    size = (ANALYSIS_WIDTH, max(2, round(height * ANALYSIS_WIDTH / max(1, width))))
    small = resize(image, size)
    gray = np.rint(small @ _LUMA).astype(np.uint8)
    return blur5(gray)


class MotionDetector:
    """Compare each analysed frame with a running-average background of the scene."""

    def __init__(self, config: DetectorConfig) -> None:
        self.config = config
        self._background: _Float | None = None
        self._keep: _Mask | None = None

    def reset(self) -> None:
        """Forget the background (the next frame starts a new one)."""
        self._background = None

    def analyse(self, gray: _Gray) -> Detection:
        """Return what changed between ``gray`` and the background, then learn ``gray``."""
        cfg = self.config
        current = gray.astype(np.float32)
        background = self._background
        if background is None or background.shape != current.shape:
            self._background = current
            self._keep = self._mask_for(gray.shape)
            return Detection(False)
        # Gain compensation: a global brightness change scales every pixel alike.
        mean_now, mean_bg = float(current.mean()), float(background.mean())
        current_n = current * (mean_bg / mean_now) if mean_now > 1.0 else current
        changed: _Mask = np.abs(current_n - background) > cfg.threshold
        if self._keep is not None:
            changed &= self._keep
        share = float(np.count_nonzero(changed)) / changed.size
        # A jump of the mean brightness by more than 15 % is the light, not a moving object
        # (which would have to fill much of the frame); so is a change over most of it.
        lighting = abs(mean_now - mean_bg) > 0.15 * max(mean_bg, 1.0)
        if lighting or share > cfg.global_change:
            self._background = current  # start over from the newly lit scene
            return Detection(False, lighting=True)
        # The running average, in place: background += rate * (current - background).
        background += cfg.learning_rate * (current - background)
        return self._regions(changed)

    def _regions(self, changed: _Mask) -> Detection:
        # Growing by 2 pixels joins the fragments of one object (its uniform middle may not
        # differ from the background) into one region.
        changed = dilate(changed, 2)
        height, width = changed.shape[:2]
        total = float(width * height)
        min_pixels = self.config.min_area / 100 * total
        boxes, area = [], 0.0
        for region in regions(changed):
            if region.area >= min_pixels:
                boxes.append((region.x, region.y, region.width, region.height))
                area += region.area
        if not boxes:
            return Detection(False)
        x0 = min(b[0] for b in boxes)
        y0 = min(b[1] for b in boxes)
        x1 = max(b[0] + b[2] for b in boxes)
        y1 = max(b[1] + b[3] for b in boxes)
        box = (x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)
        return Detection(True, area=min(1.0, area / total), box=box)

    def _mask_for(self, shape: tuple[int, ...]) -> _Mask | None:
        if not self.config.mask:
            return None
        height, width = shape[:2]
        keep = np.ones((height, width), dtype=np.bool_)
        for x, y, w, h in self.config.mask:
            x0, y0 = int(x * width), int(y * height)
            keep[y0 : y0 + max(1, round(h * height)), x0 : x0 + max(1, round(w * width))] = False
        return keep
