"""Drawing on frames: rectangles and text clip at the edges and never leave their area."""

from __future__ import annotations

import numpy as np
import pytest

from livecam import drawing


def test_a_filled_rectangle_covers_its_corners_inclusive():
    image = np.zeros((10, 10, 3), np.uint8)
    drawing.rectangle(image, (2, 3), (5, 7), (1, 2, 3), -1)
    painted = (image == (1, 2, 3)).all(axis=2)
    assert painted.sum() == 4 * 5 and painted[3:8, 2:6].all()


def test_an_outline_has_the_given_thickness_and_an_empty_middle():
    image = np.zeros((20, 20, 3), np.uint8)
    drawing.rectangle(image, (2, 2), (17, 17), (255, 255, 255), 2)
    painted = image[:, :, 0] > 0
    assert painted[2:4, 2:18].all() and painted[2:18, 16:18].all()
    assert not painted[4:16, 4:16].any() and not painted[0:2].any()


@pytest.mark.parametrize(("corner0", "corner1"), [((-5, -5), (3, 3)), ((8, 8), (50, 50))])
def test_rectangles_partly_outside_are_clipped(corner0, corner1):
    image = np.zeros((10, 10, 3), np.uint8)
    drawing.rectangle(image, corner0, corner1, (9, 9, 9), 3)
    drawing.rectangle(image, corner0, corner1, (9, 9, 9), -1)
    assert image.any()


def test_text_is_drawn_in_its_colour_inside_its_box_only():
    image = np.zeros((40, 200, 3), np.uint8)
    width, height = drawing.text_size("12:34:56", 14, 1)
    drawing.text(image, (10, 5), "12:34:56", 14, (0, 0, 255), 1)
    lit = np.argwhere(image[:, :, 2] > 128)
    assert len(lit) > 30
    assert lit[:, 0].min() >= 5 and lit[:, 0].max() < 5 + height
    assert lit[:, 1].min() >= 10 and lit[:, 1].max() < 10 + width
    assert image[:, :, 0].max() < 64  # red: BGR order is kept (no blue strokes)


def test_text_off_the_frame_is_clipped_not_an_error():
    image = np.zeros((20, 20, 3), np.uint8)
    drawing.text(image, (15, 15), "long text here", 12)
    drawing.text(image, (50, 50), "nowhere", 12)
    drawing.text(image, (-30, -5), "before", 12)
