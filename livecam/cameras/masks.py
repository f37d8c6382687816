"""Privacy masks: rectangles in percent of the frame, burned black before the one encode."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from livecam.sources.base import Image

MAX_MASKS = 16
MIN_SIDE = 0.1
"""The narrowest mask, in percent (values are kept to 3 decimals)."""
Rect = tuple[float, float, float, float]
"""x, y, width, height in percent of the frame (after resizing and rotation)."""


def parse_masks(value: Any) -> tuple[Rect, ...]:
    """Return the masks as rectangles, or raise ValueError saying what is wrong."""
    if not isinstance(value, list):
        raise ValueError("masks are a list of {x, y, w, h} in percent of the frame")
    if len(value) > MAX_MASKS:
        raise ValueError(f"at most {MAX_MASKS} masks")
    rects = []
    for number, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(item) != {"x", "y", "w", "h"}:
            raise ValueError(f"mask {number} needs exactly x, y, w and h")
        numbers = [item[key] for key in ("x", "y", "w", "h")]
        if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            raise ValueError(f"mask {number}: x, y, w and h are numbers")
        x, y, w, h = (float(n) for n in numbers)
        if not (0 <= x < 100 and 0 <= y < 100 and MIN_SIDE <= w <= 100 and MIN_SIDE <= h <= 100):
            raise ValueError(
                f"mask {number}: x and y from 0 to 100, w and h from {MIN_SIDE} to 100"
            )
        if x + w > 100.001 or y + h > 100.001:
            raise ValueError(f"mask {number} reaches outside the frame")
        rects.append((round(x, 3), round(y, 3), round(w, 3), round(h, 3)))
    return tuple(rects)


def as_json(rects: Sequence[Rect]) -> list[dict[str, float]]:
    """Return rectangles in their stored JSON form."""
    return [{"x": x, "y": y, "w": w, "h": h} for x, y, w, h in rects]


def burn(image: Image, rects: Sequence[Rect]) -> Image:
    """Return a copy of the image with every rectangle filled black (whole pixels covered)."""
    height, width = image.shape[:2]
    out = np.array(image, copy=True)
    for x, y, w, h in rects:
        # Rounded outwards: a mask covers at least what was drawn, never a pixel less.
        left, top = int(x * width / 100), int(y * height / 100)
        right = min(width, math.ceil((x + w) * width / 100))
        bottom = min(height, math.ceil((y + h) * height / 100))
        out[top:bottom, left:right] = 0
    return out
