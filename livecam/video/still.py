"""Placeholders in H.264: the "OFF" / "NO SIGNAL — reason" picture as one keyframe.

Encoded once per (state, reason, size) and cached; the web side sends it about once a second
with an advancing decode time, so a video element shows why there is no picture, exactly as
the MJPEG stream does.
"""

from __future__ import annotations

import dataclasses
import functools

from livecam import placeholder
from livecam.video import boxes, h264
from livecam.video.encoder import H264Encoder, even


@dataclasses.dataclass(frozen=True, slots=True)
class StillPicture:
    """One encoded placeholder: its init segment and its single keyframe sample."""

    init: bytes
    sample: bytes


@functools.lru_cache(maxsize=32)
def still(state: str, error: str, width: int, height: int) -> StillPicture:
    """Return the placeholder of a camera state as an init segment and one keyframe sample."""
    from livecam.capture import processing

    width, height = even(max(64, min(width or 640, 3840))), even(max(48, min(height or 480, 2160)))
    _title, jpeg = placeholder.for_state(state, error, width, height)
    image = processing.decode(jpeg)
    encoder = H264Encoder(width, height, 1.0, 200)
    try:
        units = encoder.encode(image, 0, True)
    finally:
        encoder.close()
    if not units:  # zerolatency gives the picture at once; anything else is a bug here
        raise RuntimeError("the placeholder encoder gave no picture")
    params = h264.parameter_sets(units[0].units)
    if params is None:
        raise RuntimeError("the placeholder keyframe has no SPS/PPS")
    init = boxes.init_segment(width, height, h264.avcc_record(*params))
    return StillPicture(init, h264.to_sample(units[0].units))
