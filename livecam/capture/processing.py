"""Per-frame image work in the capture thread: resize, rotate, JPEG encode and decode."""

from __future__ import annotations

from typing import cast

import cv2
import simplejpeg

from livecam.sources.base import Image

_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


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


def process(image: Image, want_w: int, want_h: int, rotation: int) -> Image:
    """Resize (area filter when shrinking) and rotate an image."""
    src_h, src_w = image.shape[:2]
    size = target_size(src_w, src_h, want_w, want_h)
    if size != (src_w, src_h):
        shrinking = size[0] * size[1] < src_w * src_h
        interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        image = cast(Image, cv2.resize(image, size, interpolation=interpolation))
    if rotation in _ROTATE:
        image = cast(Image, cv2.rotate(image, _ROTATE[rotation]))
    return image


def encode(image: Image, quality: int) -> bytes:
    """Encode a BGR image to JPEG with libjpeg-turbo (releases the GIL)."""
    data: bytes = simplejpeg.encode_jpeg(
        image, quality=quality, colorspace="BGR", colorsubsampling="420", fastdct=True
    )
    return data


def decode(jpeg: bytes) -> Image:
    """Decode a JPEG to a BGR image (releases the GIL)."""
    image: Image = simplejpeg.decode_jpeg(jpeg, colorspace="BGR", fastdct=True)
    return image
