"""Software picture controls (brightness, contrast) for sources that have no hardware ones."""

from __future__ import annotations

import numpy as np

from livecam.sources.base import Control, Image

SOFTWARE_CONTROLS = (
    Control("brightness", "integer", -100, 100, 1, 0),
    Control("contrast", "integer", 0, 300, 1, 100),
)
"""Offered by the drawn sources (pattern, scene): brightness is added, contrast is in percent."""


def adjust(image: Image, values: dict[str, int]) -> Image:
    """Return the image with brightness and contrast applied (the image itself when neutral)."""
    brightness = values.get("brightness", 0)
    contrast = values.get("contrast", 100)
    if brightness == 0 and contrast == 100:
        return image
    alpha = contrast / 100
    # Contrast pivots on mid-grey, so it does not also brighten or darken the picture.
    beta = brightness + 128 * (1 - alpha)
    # Computed in float32 and clipped, so it saturates at 0 and 255 instead of wrapping.
    out = image.astype(np.float32) * alpha + beta
    adjusted: Image = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return adjusted
