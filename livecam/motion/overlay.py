"""Draw the motion box and a timestamp on a copy of a frame (before its one encode)."""

from __future__ import annotations

import time

from livecam import drawing
from livecam.motion.detector import Box
from livecam.sources.base import Image

_RED = (40, 40, 230)
_WHITE = (255, 255, 255)
# The stamp's box keeps this share of the picture behind it: dark enough for white text on
# a white wall or the sky, light enough that the corner of the scene still shows.
_BOX_KEEP = 0.3


def draw_overlay(image: Image, box: Box | None, at: float) -> Image:
    """Return a copy of ``image`` with the box (when moving) and the capture time drawn."""
    out = image.copy()
    height, width = out.shape[:2]
    if box is not None:
        x, y, w, h = box
        top_left = (int(x * width), int(y * height))
        bottom_right = (int((x + w) * width), int((y + h) * height))
        drawing.rectangle(out, top_left, bottom_right, _RED, max(1, round(height / 240)) + 1)
    draw_stamp(out, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at)))
    return out


def draw_stamp(image: Image, text: str) -> None:
    """Draw ``text`` in white on a darkened box in the top-left corner of ``image`` (in place)."""
    height, width = image.shape[:2]
    text = text.replace(" ", "  ")  # the bundled font's space is narrow: date and time ran together
    # 11 px is the smallest size whose strokes stay readable after JPEG at 320x240; larger
    # frames get proportionally larger text. The thin dark outline separates the strokes
    # from anything the darkened box still lets through.
    size = max(11, round(height / 40))
    outline = max(1, size // 14)
    text_w, text_h = drawing.text_size(text, size, outline)
    pad = max(2, round(text_h * 0.3))
    x0 = y0 = pad
    x1 = min(width, x0 + text_w + 2 * pad)
    y1 = min(height, y0 + text_h + 2 * pad)
    corner = image[y0:y1, x0:x1]
    corner[:] = (corner * _BOX_KEEP).astype(corner.dtype)
    drawing.text(image, (x0 + pad, y0 + pad), text, size, _WHITE, outline)
