"""Image operations the motion detector needs, in numpy: blur, dilate, connected regions.

Regions are found on runs of set pixels (one row at a time) joined by a union-find, so the
Python work grows with the number of runs, not of pixels: a 160x120 mask takes well under a
millisecond.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]
_Gray = npt.NDArray[np.uint8]


@dataclasses.dataclass(frozen=True, slots=True)
class Region:
    """One 8-connected region of set pixels: its pixel count and bounding box."""

    area: int
    x: int
    y: int
    width: int
    height: int


def blur5(gray: _Gray) -> _Gray:
    """Return a 5x5 Gaussian blur (binomial 1-4-6-4-1, edges mirrored) of a grayscale image."""
    work = np.pad(gray.astype(np.uint16), 2, mode="reflect")
    # Separable: rows then columns. The sums stay below 16 * 16 * 255, inside uint16.
    rows = work[:, :-4] + 4 * work[:, 1:-3] + 6 * work[:, 2:-2] + 4 * work[:, 3:-1] + work[:, 4:]
    both = rows[:-4] + 4 * rows[1:-3] + 6 * rows[2:-2] + 4 * rows[3:-1] + rows[4:]
    out: _Gray = ((both + 128) >> 8).astype(np.uint8)
    return out


def dilate(mask: Mask, radius: int) -> Mask:
    """Return the mask grown by ``radius`` pixels in every direction (a square element)."""
    out = mask
    for axis in (0, 1):
        grown = out.copy()
        for shift in range(1, radius + 1):
            # Each shift ORs in the neighbour ``shift`` pixels away on both sides.
            if axis == 0:
                grown[shift:] |= out[:-shift]
                grown[:-shift] |= out[shift:]
            else:
                grown[:, shift:] |= out[:, :-shift]
                grown[:, :-shift] |= out[:, shift:]
        out = grown
    return out


def regions(mask: Mask) -> list[Region]:
    """Return the 8-connected regions of a 2-D boolean mask."""
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    start_rows, start_cols = np.nonzero(edges == 1)
    _, end_cols = np.nonzero(edges == -1)  # row-major order: ends pair with starts
    rows, starts, ends = start_rows.tolist(), start_cols.tolist(), end_cols.tolist()
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    above_lo = above_hi = 0  # the runs of the previous row: [above_lo, above_hi)
    i = 0
    while i < len(rows):
        row = rows[i]
        j = i
        while j < len(rows) and rows[j] == row:
            j += 1
        if not (above_hi > above_lo and rows[above_lo] == row - 1):
            above_lo = above_hi = i  # the previous row has no runs
        k = above_lo
        for run in range(i, j):
            # Skip runs above that end before this one can touch them (diagonals count).
            while k < above_hi and ends[k] < starts[run]:
                k += 1
            m = k
            while m < above_hi and starts[m] <= ends[run]:
                a, b = find(run), find(m)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                m += 1
        above_lo, above_hi, i = i, j, j
    found: dict[int, list[int]] = {}
    for run in range(len(rows)):
        root = find(run)
        box = found.get(root)
        length = ends[run] - starts[run]
        if box is None:
            found[root] = [length, starts[run], rows[run], ends[run], rows[run] + 1]
        else:
            box[0] += length
            box[1] = min(box[1], starts[run])
            box[3] = max(box[3], ends[run])
            box[4] = rows[run] + 1  # runs come in row order
    return [Region(a, x0, y0, x1 - x0, y1 - y0) for a, x0, y0, x1, y1 in found.values()]
