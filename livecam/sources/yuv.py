"""YUV 4:2:0 pictures of drawn frames, made from a background converted once plus patches.

H.264 encodes YUV 4:2:0. Converting a whole 640x480 BGR frame costs 0.6 ms (swscale), more
than drawing it. A drawn source whose frames are a background moved sideways plus a few
drawn areas converts the background once, then per frame only moves its planes and converts
the drawn areas. swscale's conversion works on 2x2 blocks, so as long as areas and moves are
aligned to even pixels the result is the very picture converting the whole frame would give.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from livecam.sources.base import Image

Planes = npt.NDArray[np.uint8]
"""Limited-range YUV 4:2:0 in PyAV's yuv420p array layout: (height * 3/2) x width."""

Area = tuple[int, int, int, int]
"""A drawn area of a frame: left, top, right, bottom (right and bottom excluded)."""


def fits(width: int, height: int) -> bool:
    """Return True when a picture of this size has whole 4:2:0 chroma blocks (even sides)."""
    return width % 2 == 0 and height % 2 == 0


def planes_of(image: Image) -> Planes:
    """Return a BGR image of even sides as YUV 4:2:0 planes (BT.601, limited range)."""
    import av

    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
    planes: Any = frame.reformat(format="yuv420p").to_ndarray()
    return np.asarray(planes, dtype=np.uint8)


def split(planes: Planes, width: int, height: int) -> tuple[Planes, Planes, Planes]:
    """Return views of the Y, U and V planes of a yuv420p array."""
    flat = planes.reshape(-1)
    luma, chroma = width * height, (width // 2) * (height // 2)
    return (
        flat[:luma].reshape(height, width),
        flat[luma : luma + chroma].reshape(height // 2, width // 2),
        flat[luma + chroma : luma + 2 * chroma].reshape(height // 2, width // 2),
    )


def _roll_into(target: Planes, source: Planes, shift: int) -> None:
    """Write ``source`` moved ``shift`` columns right (wrapping round) into ``target``."""
    width = source.shape[1]
    shift %= width
    target[:, shift:] = source[:, : width - shift]
    target[:, :shift] = source[:, width - shift :]


def _even(area: Area, width: int, height: int) -> Area:
    """Return ``area`` grown to even edges (whole chroma blocks) and clipped to the picture."""
    left, top, right, bottom = area
    return (
        max(0, left - left % 2),
        max(0, top - top % 2),
        min(width, right + right % 2),
        min(height, bottom + bottom % 2),
    )


class PatchedPicture:
    """The YUV picture of one drawn frame, made only when called (only H.264 needs it).

    ``background`` is the planes of the frame's background, ``shift`` how far (an even
    number of columns) the frame moved it right, ``image`` the finished BGR frame and
    ``areas`` where the frame was drawn on after the move.
    """

    def __init__(self, background: Planes, shift: int, image: Image, areas: list[Area]) -> None:
        self.background, self.shift, self.image, self.areas = background, shift, image, areas

    def __call__(self) -> Any:
        """Return the picture as a PyAV ``VideoFrame`` (yuv420p), equal to converting ``image``."""
        import av

        height, width = self.image.shape[:2]
        planes: Planes = np.empty_like(self.background)
        target = split(planes, width, height)
        for plane, source, scale in zip(
            target, split(self.background, width, height), (1, 2, 2), strict=True
        ):
            _roll_into(plane, source, self.shift // scale)
        for area in self.areas:
            left, top, right, bottom = _even(area, width, height)
            if left >= right or top >= bottom:
                continue
            patch = split(planes_of(self.image[top:bottom, left:right]), right - left, bottom - top)
            for plane, part, scale in zip(target, patch, (1, 2, 2), strict=True):
                plane[top // scale : bottom // scale, left // scale : right // scale] = part
        if height % 4:  # PyAV's no-copy path takes such a picture as 2 rows shorter
            return av.VideoFrame.from_ndarray(planes, format="yuv420p")
        return av.VideoFrame.from_numpy_buffer(planes, format="yuv420p")
