"""Capture side of the smaller JPEG variants (``?width=W``): each encoded once, while watched.

Runs in the camera's capture thread, right after the full-size JPEG, on the image the worker
already has (decoded only when the JPEG was passed through). One resize and encode per frame
per width someone watches, in any web process; none while nobody watches a width, so an
unwatched variant costs nothing. The result goes through the bus to every web process, which
only fans it out. A width at least as wide as the frame is never encoded: viewers of it get
the full-size frame as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from livecam import metrics
from livecam.capture import processing
from livecam.frames import Frame
from livecam.sources.base import Image

logger = logging.getLogger(__name__)

QUALITY = 75
"""JPEG quality of the variants: they are thumbnails and grid tiles."""


def scale(frame: Frame, image: Image, width: int, quality: int = QUALITY) -> Frame:
    """Return ``frame`` resized to ``width`` (aspect ratio kept) from its decoded ``image``."""
    small = processing.process(image, width, 0, 0)
    height, actual = small.shape[:2]
    jpeg = processing.encode(small, quality)
    return Frame.create(frame.camera_id, frame.seq, jpeg, actual, height, frame.captured_at)


class VariantMaker:
    """Resize and encode one camera's frames for the widths someone watches."""

    def __init__(
        self,
        camera_id: str,
        wanted: Callable[[str], frozenset[int]],
        publish: Callable[[Frame, int], None],
    ) -> None:
        self.camera_id = camera_id
        self._wanted = wanted
        self._publish = publish

    def on_frame(self, frame: Frame, image: Image | None) -> Image | None:
        """Encode and publish ``frame`` at every watched width smaller than it.

        ``image`` is its picture (None when the JPEG passed through: then it is decoded here,
        only if some width needs it). Return the image, decoded or not, for later users.
        """
        widths = [w for w in self._wanted(self.camera_id) if 0 < w < frame.width]
        if not widths:
            return image
        if image is None:
            try:
                image = processing.decode(frame.jpeg)
            except ValueError as exc:  # checked when captured; never let it stop capture
                logger.warning("camera %s: variant decode failed: %s", self.camera_id, exc)
                return None
        for width in sorted(widths):
            variant = scale(frame, image, width)
            metrics.VARIANT_FRAMES_ENCODED.labels(self.camera_id, str(width)).inc()
            self._publish(variant, width)
        return image
