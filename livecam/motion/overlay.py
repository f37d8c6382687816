"""Draw the motion box and a timestamp on a copy of a frame (before its one encode)."""

from __future__ import annotations

import time

import cv2

from livecam.motion.detector import Box
from livecam.sources.base import Image

_RED = (40, 40, 230)
_WHITE = (255, 255, 255)


def draw_overlay(image: Image, box: Box | None, at: float) -> Image:
    """Return a copy of ``image`` with the box (when moving) and the capture time drawn."""
    out = image.copy()
    height, width = out.shape[:2]
    thickness = max(1, round(height / 240))
    if box is not None:
        x, y, w, h = box
        top_left = (int(x * width), int(y * height))
        bottom_right = (int((x + w) * width), int((y + h) * height))
        cv2.rectangle(out, top_left, bottom_right, _RED, thickness + 1)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
    scale = max(0.35, height / 960)
    origin = (int(8 * scale * 2), int(24 * scale * 2))
    # Dark outline first, so the white text reads on any background.
    cv2.putText(out, stamp, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 2)
    cv2.putText(out, stamp, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, _WHITE, thickness)
    return out
