"""Video files, looped at their own frame rate (PyAV with its bundled FFmpeg)."""

from __future__ import annotations

import logging
import os
import threading

from livecam.sources.avreader import VideoReader, errors
from livecam.sources.base import (
    CaptureOptions,
    FrameSource,
    SourceError,
    SourceFrame,
    SourceSpec,
)
from livecam.sources.h264file import H264FileReader, is_h264
from livecam.sources.pacing import Pacer

logger = logging.getLogger(__name__)

FALLBACK_FPS = 25.0
_MAX_FPS = 240.0


class FileSource(FrameSource):
    """Play a video file in a loop, paced at the file's own frame rate."""

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.path = spec.target
        self.fps = FALLBACK_FPS
        """The rate frames are delivered at: the file's own, once open."""
        self._closed = threading.Event()
        self._pacer = Pacer(self.fps)
        self._identity: tuple[int, int] | None = None
        self._reader: VideoReader | None = None
        self._h264: H264FileReader | None = None
        """The reader for H.264 files (their packets can pass through); None: VideoReader."""

    def open(self) -> None:
        """Open the file; a missing or unreadable file is a SourceError with the reason."""
        self._closed.clear()
        self._pacer.reset()
        self._identity = self._stat()
        if is_h264(self.path):
            self._open_h264()
        else:
            self._open_video()

    def _set_rate(self, fps: float) -> None:
        # Some containers report 0 or absurd rates; fall back to the configured or a sane one.
        if not 0 < fps <= _MAX_FPS:
            fps = self.options.fps if 0 < self.options.fps <= _MAX_FPS else FALLBACK_FPS
        self.fps = fps
        self._pacer.retime(fps)  # a loop or a replaced file goes on at the pace it had

    def _open_video(self) -> VideoReader:
        try:
            reader = VideoReader(self.path, file=True)
        except errors() as exc:
            logger.info("cannot read %s: %s", self.path, exc)
            raise SourceError(
                f"cannot read video file: {self.path} (not a video, or damaged)"
            ) from None
        self._reader, old = reader, self._reader
        if old is not None:
            old.close()
        if self._closed.is_set():  # close() ran while the file was being opened
            reader.close()
            raise SourceError("file source closed")
        self._set_rate(reader.fps)
        return reader

    def _open_h264(self) -> H264FileReader:
        try:
            reader = H264FileReader(self.path)
        except errors() as exc:
            raise SourceError(f"cannot read video file: {self.path} ({exc})") from None
        self._h264, old = reader, self._h264
        if old is not None:
            old.close()
        self._set_rate(reader.fps)
        return reader

    def _read_h264(self, reader: H264FileReader) -> SourceFrame:
        got = reader.read()
        if got is None:  # the end: play again from the start (a replaced file included)
            self._raise_closed()
            got = self._open_h264().read()
            if got is None:
                raise SourceError(f"no frames could be read from {self.path}")
        return got

    def _stat(self) -> tuple[int, int]:
        """Return the file's (device, inode), or raise SourceError saying what is wrong."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise SourceError(f"file not found: {self.path}") from None
        except OSError as exc:
            raise SourceError(f"cannot read {self.path}: {exc.strerror}") from None
        if not os.path.isfile(self.path):
            raise SourceError(f"not a regular file: {self.path}")
        if st.st_size == 0:
            raise SourceError(f"the video file is empty: {self.path}")
        if not os.access(self.path, os.R_OK):
            raise SourceError(f"file not readable: {self.path}")
        return st.st_dev, st.st_ino

    def read(self) -> SourceFrame:
        """Return the next frame when due; at the end of the file start again."""
        if not self._pacer.wait(self._closed):
            raise SourceError("file source closed")
        if self._h264 is not None:
            return self._read_h264(self._h264)
        got = self._next(self._reader)
        if got is None:  # the end (or a truncated tail): loop from the start
            got = self._restart()
        return got

    def _next(self, reader: VideoReader | None) -> SourceFrame | None:
        if reader is None:
            raise SourceError("file source closed")
        try:
            return reader.read()
        except errors() as exc:  # a damaged or truncated tail ends the pass, not the source
            logger.info("%s: %s; playing again from the start", self.path, exc)
            return None

    def _restart(self) -> SourceFrame:
        self._raise_closed()
        # The file is opened again each time round: deleted, emptied or made unreadable while
        # playing is noticed here, and a file replaced by a new clip plays the new one.
        identity = self._stat()
        if identity != self._identity:
            logger.info("%s was replaced; playing the new file", self.path)
        self._identity = identity
        got = self._next(self._open_video())
        if got is None:
            self._raise_closed()
            raise SourceError(f"no frames could be read from {self.path} (damaged or truncated?)")
        return got

    def _raise_closed(self) -> None:
        if self._closed.is_set():
            raise SourceError("file source closed")

    def close(self) -> None:
        """Release the file; a read waiting for its deadline returns at once."""
        self._closed.set()
        for reader in (self._reader, self._h264):
            if reader is not None:
                reader.close()
        self._reader = self._h264 = None
