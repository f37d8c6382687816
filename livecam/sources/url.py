"""Network video (RTSP, HTTP) through OpenCV's FFmpeg backend, with open and read timeouts."""

from __future__ import annotations

import logging
import threading

import cv2

from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec
from livecam.sources.opencv import GuardedCapture
from livecam.sources.pacing import Pacer
from livecam.sources.urls import redact

logger = logging.getLogger(__name__)

OPEN_TIMEOUT = 5.0
"""Seconds FFmpeg may take to connect and read the stream's header."""
READ_TIMEOUT = 5.0
"""Seconds FFmpeg may wait for data before a read fails (a stalled camera)."""
_MIN_CEILING_FPS = 60.0


class UrlSource(FrameSource):
    """Decode a network stream; a live stream's own arrival rate paces the reads."""

    def __init__(
        self,
        spec: SourceSpec,
        options: CaptureOptions,
        *,
        open_timeout: float = OPEN_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        super().__init__(spec, options)
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(open_timeout * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(read_timeout * 1000),
        ]
        self._capture = GuardedCapture(
            lambda: cv2.VideoCapture(spec.target, cv2.CAP_FFMPEG, params)
        )
        self._closed = threading.Event()
        self._ceiling = Pacer(_MIN_CEILING_FPS)
        self._name = redact(spec.target)

    def open(self) -> None:
        """Connect; an unreachable or unreadable stream is a SourceError (credentials hidden)."""
        self._closed.clear()
        if not self._capture.open():
            if self._capture.closed:
                raise SourceError("source closed")
            raise SourceError(f"cannot open {self._name} (unreachable, refused or not video)")
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        # Live streams arrive at their own rate. A stream that is really a file on a web server
        # would decode as fast as the CPU allows: a ceiling well above the announced rate (which
        # FFmpeg misreports for MJPEG over HTTP) keeps that from spinning without ever holding
        # back a live stream.
        self._ceiling = Pacer(max(_MIN_CEILING_FPS, 2 * fps if fps < 1000 else 0.0))
        logger.info("%s opened (%.1f fps announced)", self._name, fps)

    def read(self) -> SourceFrame:
        """Return the next decoded frame."""
        if not self._ceiling.wait(self._closed):
            raise SourceError("source closed")
        ok, image = self._capture.read()
        if not ok or image is None:
            if self._capture.closed:
                raise SourceError("source closed")
            raise SourceError(f"no frame from {self._name} (stream ended or stalled)")
        height, width = image.shape[:2]
        return SourceFrame(width, height, image=image)

    def close(self) -> None:
        """Release the stream."""
        self._closed.set()
        self._capture.close()
