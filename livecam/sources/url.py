"""Network video (RTSP, HTTP) through PyAV's FFmpeg, with open and read timeouts."""

from __future__ import annotations

import logging
import threading

from livecam.sources.avreader import VideoReader, errors
from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec
from livecam.sources.h264file import H264FileReader
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
        self._closed = threading.Event()
        self._ceiling = Pacer(_MIN_CEILING_FPS)
        self._name = redact(spec.target)
        self._timeouts = (open_timeout, read_timeout)
        self._h264: H264FileReader | None = None
        """The reader when the stream is H.264 (its packets can pass through)."""
        self._reader: VideoReader | None = None
        """The reader of any other stream."""

    def open(self) -> None:
        """Connect; an unreachable or unreadable stream is a SourceError (credentials hidden)."""
        self._closed.clear()
        if self._open_h264():
            return
        try:
            reader = VideoReader(self.spec.target, self._timeouts)
        except errors() as exc:
            logger.info("%s: %s", self._name, type(exc).__name__)
            if self._closed.is_set():
                raise SourceError("source closed") from None
            raise SourceError(
                f"cannot open {self._name} (unreachable, refused or not video)"
            ) from None
        self._reader = reader
        if self._closed.is_set():  # close() ran while connecting: honour it
            reader.close()
            raise SourceError("source closed")
        fps = reader.fps
        # Live streams arrive at their own rate. A stream that is really a file on a web server
        # would decode as fast as the CPU allows: a ceiling well above the announced rate (which
        # FFmpeg misreports for MJPEG over HTTP) keeps that from spinning without ever holding
        # back a live stream.
        self._ceiling = Pacer(max(_MIN_CEILING_FPS, 2 * fps if fps < 1000 else 0.0))
        logger.info("%s opened (%.1f fps announced)", self._name, fps)

    def _open_h264(self) -> bool:
        """Open the stream as H.264 if it is; False: read it with a VideoReader instead."""
        try:
            reader = H264FileReader(self.spec.target, self._timeouts)
        except errors():
            return False  # not H.264, or unreadable: the VideoReader says why, if anything
        self._h264 = reader
        self._ceiling = Pacer(max(_MIN_CEILING_FPS, 2 * reader.fps if reader.fps < 1000 else 0.0))
        logger.info("%s opened (H.264, %.1f fps announced)", self._name, reader.fps)
        return True

    def read(self) -> SourceFrame:
        """Return the next decoded frame."""
        if not self._ceiling.wait(self._closed):
            raise SourceError("source closed")
        h264 = self._h264
        if h264 is not None:
            try:
                got = h264.read()
            except errors() as exc:
                raise SourceError(f"no frame from {self._name} ({type(exc).__name__})") from None
            if got is None:
                raise SourceError(f"no frame from {self._name} (stream ended)")
            return got
        reader = self._reader
        if reader is None or self._closed.is_set():
            raise SourceError("source closed")
        try:
            decoded = reader.read()
        except errors() as exc:
            raise SourceError(f"no frame from {self._name} ({type(exc).__name__})") from None
        if decoded is None:
            if self._closed.is_set():
                raise SourceError("source closed")
            raise SourceError(f"no frame from {self._name} (stream ended or stalled)")
        return decoded

    def close(self) -> None:
        """Release the stream; a read blocked on the network ends within the read timeout."""
        self._closed.set()
        for reader in (self._reader, self._h264):
            if reader is not None:
                reader.close()
        self._reader = self._h264 = None
