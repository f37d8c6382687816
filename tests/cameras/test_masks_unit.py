"""Mask geometry: percent rectangles cover whole pixels, rounded outwards; bad input refused."""

from __future__ import annotations

import numpy as np
import pytest

from livecam.cameras.masks import burn, parse_masks


def test_burn_covers_every_pixel_the_rectangle_touches_and_leaves_the_rest():
    image = np.full((10, 20, 3), 200, np.uint8)
    out = burn(image, [(12.5, 15.0, 10.0, 21.0)])  # x 2.5..4.5 px, y 1.5..3.6 px
    black = np.argwhere(out[:, :, 0] == 0)
    assert (black[:, 0].min(), black[:, 0].max()) == (1, 3)
    assert (black[:, 1].min(), black[:, 1].max()) == (2, 4)
    assert int((out == 0).all(axis=2).sum()) == 3 * 3
    assert (image == 200).all()  # the source image is never drawn on


def test_a_full_frame_mask_blacks_out_everything():
    assert not burn(np.full((7, 9, 3), 255, np.uint8), [(0, 0, 100, 100)]).any()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"x": 1}, "a list"),
        ([{"x": 0, "y": 0, "w": 10}], "exactly x, y, w and h"),
        ([{"x": 0, "y": 0, "w": 0, "h": 10}], "w and h from 0.1"),
        ([{"x": 0, "y": 0, "w": 5e-324, "h": 10}], "w and h from 0.1"),
        ([{"x": 95, "y": 0, "w": 10, "h": 10}], "outside the frame"),
        ([{"x": True, "y": 0, "w": 10, "h": 10}], "numbers"),
        ([{"x": 0, "y": 0, "w": 1, "h": 1}] * 17, "at most 16"),
    ],
)
def test_bad_masks_are_refused_with_the_reason(value: object, reason: str):
    with pytest.raises(ValueError, match=reason):
        parse_masks(value)
