"""Draw on BGR frames with numpy and Pillow: filled and outlined rectangles, outlined text.

Text uses the FreeType font Pillow bundles (``ImageFont.load_default``), so no system font
is needed. Only the patch under the text goes through Pillow: drawing costs the same on a
4K frame as on a small one.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from livecam.sources.base import Image

Color = tuple[int, int, int]
"""A BGR colour."""


@functools.lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return Pillow's bundled font at ``size`` pixels (cached: loading it parses the file)."""
    return ImageFont.load_default(size=size)


def rectangle(
    image: Image, corner0: tuple[int, int], corner1: tuple[int, int], color: Color, thickness: int
) -> None:
    """Draw a rectangle in place; a thickness below 1 fills it. Parts outside are clipped."""
    height, width = image.shape[:2]
    x0, x1 = sorted((corner0[0], corner1[0]))
    y0, y1 = sorted((corner0[1], corner1[1]))
    left, top = max(0, x0), max(0, y0)
    right, bottom = min(width, x1 + 1), min(height, y1 + 1)
    if left >= right or top >= bottom:
        return
    if thickness < 1:
        image[top:bottom, left:right] = color
        return
    t = thickness
    for ya, yb, xa, xb in (
        (y0, y0 + t, x0, x1 + 1),  # top, bottom, left, right edges (each clipped below)
        (y1 + 1 - t, y1 + 1, x0, x1 + 1),
        (y0, y1 + 1, x0, x0 + t),
        (y0, y1 + 1, x1 + 1 - t, x1 + 1),
    ):
        ya, yb, xa, xb = max(0, ya), min(height, yb), max(0, xa), min(width, xb)
        if ya < yb and xa < xb:
            image[ya:yb, xa:xb] = color


def text_size(text: str, size: int, outline: int = 0) -> tuple[int, int]:
    """Return the width and height ``text`` covers at font ``size`` with its outline."""
    left, top, right, bottom = font(size).getbbox(text, stroke_width=outline)
    return int(right - left), int(bottom - top)


def text(
    image: Image,
    origin: tuple[int, int],
    words: str,
    size: int,
    color: Color = (255, 255, 255),
    outline: int = 0,
    outline_color: Color = (0, 0, 0),
) -> None:
    """Draw ``words`` in place with its top-left corner at ``origin`` (clipped to the image).

    An outline (in pixels) keeps the text legible on any background, bright or busy.
    """
    height, width = image.shape[:2]
    typeface = font(size)
    left, top, right, bottom = typeface.getbbox(words, stroke_width=outline)
    x0, y0 = max(0, origin[0]), max(0, origin[1])
    x1 = min(width, origin[0] + int(right - left))
    y1 = min(height, origin[1] + int(bottom - top))
    if x0 >= x1 or y0 >= y1:
        return
    patch = PILImage.fromarray(np.ascontiguousarray(image[y0:y1, x0:x1]))
    # The patch is BGR handed to Pillow as if RGB: a BGR colour tuple lands as it should.
    ImageDraw.Draw(patch).text(
        (origin[0] - x0 - left, origin[1] - y0 - top),
        words,
        font=typeface,
        fill=color,
        stroke_width=outline,
        stroke_fill=outline_color,
    )
    image[y0:y1, x0:x1] = np.asarray(patch)
