"""The overlay's time stamp stays readable on small frames, bright or dark, for any date."""

from __future__ import annotations

import numpy as np
import simplejpeg
from hypothesis import given, settings
from hypothesis import strategies as st

from livecam.motion.overlay import draw_overlay
from livecam.sources.base import Image
from livecam.sources.scene import render_background

WIDTH, HEIGHT = 320, 240  # the smallest frames the overlay is drawn on in practice
BACKGROUNDS = {
    "white": np.full((HEIGHT, WIDTH, 3), 250, np.uint8),
    "black": np.full((HEIGHT, WIDTH, 3), 5, np.uint8),
    "scene": render_background(WIDTH, HEIGHT)[0],
}


def _gray_after_jpeg(image: Image) -> np.ndarray:
    """Return the luma of ``image`` as a viewer sees it: after the stream's JPEG (quality 80)."""
    jpeg = simplejpeg.encode_jpeg(image, quality=80, colorspace="BGR")
    return simplejpeg.decode_jpeg(jpeg, colorspace="GRAY")[:, :, 0].astype(np.int16)


# Any moment from 1970 to 2100: the clock is the function's argument, so no date is special.
@settings(max_examples=25)
@given(st.floats(min_value=0, max_value=4_102_444_800))
def test_the_stamp_contrasts_with_its_background_at_320x240(at: float):
    # Where the text is (drawn on black) and where the box behind it is (drawn on white).
    strokes = draw_overlay(BACKGROUNDS["black"] * 0, None, at)[:, :, 0] >= 192
    box = draw_overlay(np.full_like(BACKGROUNDS["white"], 255), None, at)[:, :, 0] < 100
    assert strokes.sum() > 100, "the text is drawn"
    assert not strokes[:, WIDTH // 2 :].any(), "the stamp fits in the left half of the frame"
    for name, background in BACKGROUNDS.items():
        gray = _gray_after_jpeg(draw_overlay(background, None, at))
        contrast = np.median(gray[strokes]) - np.median(gray[box])
        assert contrast > 120, f"{name}: text only {contrast:.0f} levels above its box"
