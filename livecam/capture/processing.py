"""Per-frame image work in the capture thread: resize, rotate, JPEG encode and decode."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import simplejpeg
from PIL import Image as PILImage

from livecam.sources.base import Image

_local = threading.local()
"""Each thread's swscale context (a reformatter is not shared between threads)."""
# Quarter turns counter-clockwise for np.rot90 (the rotation setting is clockwise).
_TURNS = {90: 3, 180: 2, 270: 1}


def target_size(src_w: int, src_h: int, want_w: int, want_h: int) -> tuple[int, int]:
    """Return the output size: the wanted one, keeping the aspect ratio when one side is 0."""
    if want_w and want_h:
        return want_w, want_h
    if want_w:
        return want_w, max(2, round(src_h * want_w / max(1, src_w)))
    if want_h:
        return max(2, round(src_w * want_h / max(1, src_h))), want_h
    return src_w, src_h


def needs_processing(src_w: int, src_h: int, want_w: int, want_h: int, rotation: int) -> bool:
    """Return True when a frame of this size must be decoded/changed before streaming."""
    return rotation != 0 or target_size(src_w, src_h, want_w, want_h) != (src_w, src_h)


def resize(image: Image, size: tuple[int, int]) -> Image:
    """Return the image at ``size`` (width, height): area average shrinking, bilinear enlarging."""
    src_h, src_w = image.shape[:2]
    if size == (src_w, src_h):
        return image
    shrinking = size[0] * size[1] < src_w * src_h
    if shrinking and src_w % size[0] == 0 and src_h % size[1] == 0:
        # Whole factors (1280x720 to 640x360, the detector's 160 wide): Pillow's reduce is a
        # plain box average, the fastest path. Channel order is irrelevant to it.
        factors = (src_w // size[0], src_h // size[1])
        return np.array(PILImage.fromarray(image).reduce(factors))  # writable, like the rest
    # Otherwise swscale (PyAV's FFmpeg): faster than Pillow for these, and its context is
    # kept per thread between frames.
    import av

    frame = av.VideoFrame.from_ndarray(image, format="bgr24")
    interpolation = "AREA" if shrinking else "FAST_BILINEAR"
    out = _reformatter().reformat(frame, size[0], size[1], interpolation=interpolation)
    resized: Image = out.to_ndarray()
    return resized


def _reformatter() -> Any:
    reformatter = getattr(_local, "reformatter", None)
    if reformatter is None:
        from av.video.reformatter import VideoReformatter

        reformatter = _local.reformatter = VideoReformatter()
    return reformatter


def rotate(image: Image, rotation: int) -> Image:
    """Return the image turned clockwise by 90, 180 or 270 degrees (others: unchanged)."""
    turns = _TURNS.get(rotation)
    if turns is None:
        return image
    return np.ascontiguousarray(np.rot90(image, turns))


def process(image: Image, want_w: int, want_h: int, rotation: int) -> Image:
    """Resize (box filter when shrinking) and rotate an image."""
    src_h, src_w = image.shape[:2]
    image = resize(image, target_size(src_w, src_h, want_w, want_h))
    return rotate(image, rotation)


def encode(image: Image, quality: int) -> bytes:
    """Encode a BGR image to JPEG with libjpeg-turbo (releases the GIL)."""
    data: bytes = simplejpeg.encode_jpeg(
        image, quality=quality, colorspace="BGR", colorsubsampling="420", fastdct=True
    )
    return data


def decode(jpeg: bytes, min_width: int = 0, min_height: int = 0) -> Image:
    """Decode a JPEG to a BGR image (releases the GIL).

    With a minimum size, libjpeg-turbo scales while decoding (by 1/2, 1/4 or 1/8) to the
    smallest size still at least that large: a shrunk stream costs less than a full decode.
    """
    image: Image = simplejpeg.decode_jpeg(
        jpeg,
        colorspace="BGR",
        fastdct=True,
        min_width=min_width,
        min_height=min_height,
        min_factor=2.0 if min_width or min_height else 1.0,
    )
    return image
