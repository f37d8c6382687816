"""The detector's numpy image operations: blur, dilate and 8-connected regions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from livecam.motion.regions import Region, blur5, dilate, regions


def _mask(rows: list[str]) -> np.ndarray:
    return np.array([[ch == "#" for ch in row] for row in rows])


def test_diagonal_neighbours_join_and_gaps_separate():
    mask = _mask(
        [
            "##....#",
            "..#...#",
            "...#...",
            ".......",
            "##...##",
        ]
    )
    found = sorted((r.y, r.x, r.area, r.width, r.height) for r in regions(mask))
    assert found == [(0, 0, 4, 4, 3), (0, 6, 2, 1, 2), (4, 0, 2, 2, 1), (4, 5, 2, 2, 1)]


def test_a_u_shape_is_one_region():
    # The two arms meet only at the bottom row: their runs are joined late.
    mask = _mask(["#...#", "#...#", "#####"])
    assert regions(mask) == [Region(area=9, x=0, y=0, width=5, height=3)]


def test_an_empty_and_a_full_mask():
    assert regions(np.zeros((4, 6), bool)) == []
    assert regions(np.ones((4, 6), bool)) == [Region(24, 0, 0, 6, 4)]


def _flood(mask: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """A plain flood fill: the reference the run-based labelling must agree with."""
    seen = np.zeros_like(mask)
    height, width = mask.shape
    out = []
    for y0, x0 in zip(*np.nonzero(mask), strict=True):
        if seen[y0, x0]:
            continue
        stack, cells = [(y0, x0)], []
        seen[y0, x0] = True
        while stack:
            y, x = stack.pop()
            cells.append((y, x))
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        ys, xs = zip(*cells, strict=True)
        out.append((len(cells), min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1))
    return sorted(out)


@settings(max_examples=60)
@given(arrays(np.bool_, st.tuples(st.integers(1, 12), st.integers(1, 12))))
def test_regions_agree_with_a_flood_fill(mask: np.ndarray):
    got = sorted((r.area, r.x, r.y, r.width, r.height) for r in regions(mask))
    assert got == _flood(mask)


def test_dilate_grows_a_point_into_a_square():
    mask = np.zeros((9, 9), bool)
    mask[4, 4] = True
    grown = dilate(mask, 2)
    assert grown.sum() == 25 and grown[2:7, 2:7].all()
    corner = np.zeros((5, 5), bool)
    corner[0, 0] = True
    assert dilate(corner, 2).sum() == 9  # clipped at the border


def test_blur_keeps_flat_areas_and_spreads_a_point():
    flat = np.full((10, 12), 77, np.uint8)
    assert (blur5(flat) == 77).all()
    point = np.zeros((9, 9), np.uint8)
    point[4, 4] = 255
    blurred = blur5(point).astype(int)
    assert blurred[4, 4] == round(255 * 36 / 256)  # the 6 x 6 centre weight of 16 x 16
    assert blurred[4, 6] == round(255 * 6 / 256) and blurred[4, 7] == 0
    assert (blurred == blurred.T).all()
