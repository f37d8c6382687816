"""Network video (RTSP, HTTP) through OpenCV's FFmpeg backend, with open and read timeouts."""

from __future__ import annotations

import cv2

from livecam.sources import redact
from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec
from livecam.sources.opencv import GuardedCapture

OPEN_TIMEOUT_MS = 5000
READ_TIMEOUT_MS = 5000


class UrlSource(FrameSource):
    """Decode a network stream; FFmpeg paces reads at the stream's own rate."""

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            OPEN_TIMEOUT_MS,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            READ_TIMEOUT_MS,
        ]
        self._capture = GuardedCapture(
            lambda: cv2.VideoCapture(spec.target, cv2.CAP_FFMPEG, params)
        )

    def open(self) -> None:
        """Connect; an unreachable or unreadable stream is a SourceError (credentials hidden)."""
        if self._capture.open() is None:
            raise SourceError(f"cannot open {redact(self.spec.target)}")

    def read(self) -> SourceFrame:
        """Return the next decoded frame."""
        ok, image = self._capture.read()
        if not ok or image is None:
            if self._capture.closed:
                raise SourceError("source closed")
            raise SourceError(f"no frame from {redact(self.spec.target)}")
        height, width = image.shape[:2]
        return SourceFrame(width, height, image=image)

    def close(self) -> None:
        """Release the stream."""
        self._capture.close()
