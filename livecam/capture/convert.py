"""Turn a source's frame into what capture publishes: the one JPEG, and H.264 to pass on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import Counter

from livecam.cameras.masks import burn
from livecam.capture import observer, processing
from livecam.capture.config import CameraConfig
from livecam.sources.base import H264Sample, Image, SourceFrame
from livecam.sources.jpeg import checked_jpeg


def to_jpeg(
    raw: SourceFrame,
    cfg: CameraConfig,
    watchers: tuple[observer.FrameObserver, ...],
    at: float,
    encode: bool = True,
) -> tuple[bytes | None, int, int, bool, Image | None, Image | None] | None:
    """Return (jpeg, width, height, encoded?, undrawn image, drawn image).

    JPEGs pass through when nothing changes them (both images are then the source's
    decoded picture if it gave one, else None). With ``encode`` False a picture that needs
    encoding is not encoded: jpeg is None, for `deferred_encode` of the drawn image.

    Return None for a corrupt or truncated JPEG, which must never reach a viewer.
    """
    change = processing.needs_processing(raw.width, raw.height, cfg.width, cfg.height, cfg.rotation)
    drawers = observer.drawing(watchers, cfg.camera_id)
    # A privacy mask forces a decode even of a passed-through JPEG: nothing may bypass it.
    if raw.jpeg is not None and not change and not drawers and not cfg.masks:
        # Cheap marker walk, no decode: catches torn and truncated images from any source.
        checked = checked_jpeg(raw.jpeg)
        return None if checked is None else (*checked, False, raw.image, raw.image)
    if raw.image is not None:
        image = raw.image
    else:
        try:
            # When shrinking, libjpeg-turbo scales while it decodes: the resize has less to do.
            size = processing.target_size(raw.width, raw.height, cfg.width, cfg.height)
            image = processing.decode(raw.jpeg or b"", *size)
        except ValueError:  # simplejpeg's error for data it cannot decode
            return None
    if change:
        image = processing.process(image, cfg.width, cfg.height, cfg.rotation)
    if cfg.masks:  # before observers see the image: motion snapshots are masked too
        image = burn(image, cfg.masks)
    height, width = image.shape[:2]
    drawn = observer.draw(drawers, cfg.camera_id, image, at) if drawers else image
    if not encode:
        return None, width, height, False, image, drawn
    return processing.encode(drawn, cfg.quality), width, height, True, image, drawn


def deferred_encode(drawn: Image, quality: int, counter: Counter) -> Callable[[], bytes]:
    """Return the JPEG encode of ``drawn``, to run (and be counted) when first asked for.

    Sources hand over a new array per frame and nothing draws on it afterwards, so encoding
    it later gives the very picture encoding it now would have.
    """

    def encode() -> bytes:
        counter.inc()
        return processing.encode(drawn, quality)

    return encode


def own_video(
    raw: SourceFrame, cfg: CameraConfig, drawn: Image | None
) -> tuple[H264Sample | None, str, Any]:
    """Return what H.264 can reuse of the source: (its own H.264, why not, its own picture).

    The H.264 sample when the frame is that picture unchanged, else None and why it cannot
    pass through ("" when the source gave no H.264). The decoder's own picture when ``drawn``
    is the source's image unchanged (nothing resized, rotated, masked or drawn on it): H.264
    is then encoded from that YUV picture, which saves converting the BGR image back (0.6 ms
    per 640x480 frame).
    """
    unchanged = drawn is not None and drawn is raw.image and not cfg.masks  # masks: never
    picture = raw.picture if unchanged else None
    if raw.h264 is None:
        return None, "", picture
    if cfg.masks:  # the camera's own H.264 would show what the mask hides
        return None, "privacy masks are burned into the picture, so it is re-encoded", picture
    if processing.needs_processing(raw.width, raw.height, cfg.width, cfg.height, cfg.rotation):
        return None, "the picture is resized or rotated, so it is re-encoded", picture
    return raw.h264, "", picture
