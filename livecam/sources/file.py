"""Video files, looped at their own frame rate (OpenCV with its bundled FFmpeg)."""

from __future__ import annotations

import logging
import os
import threading
from typing import cast

import cv2

from livecam.sources.base import (
    CaptureOptions,
    FrameSource,
    Image,
    SourceError,
    SourceFrame,
    SourceSpec,
)
from livecam.sources.opencv import GuardedCapture
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
        # FFmpeg by name only: letting OpenCV pick a backend could hand the path to one that
        # reads it as an image-sequence pattern or a pipeline description.
        self._capture = GuardedCapture(lambda: cv2.VideoCapture(self.path, cv2.CAP_FFMPEG))
        self._closed = threading.Event()
        self._pacer = Pacer(self.fps)
        self._identity: tuple[int, int] | None = None

    def open(self) -> None:
        """Open the file; a missing or unreadable file is a SourceError with the reason."""
        self._closed.clear()
        self._identity = self._stat()
        if not self._capture.open():
            raise SourceError(f"cannot read video file: {self.path} (not a video, or damaged)")
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        # Some containers report 0 or absurd rates; fall back to the configured or a sane one.
        if not 0 < fps <= _MAX_FPS:
            fps = self.options.fps if 0 < self.options.fps <= _MAX_FPS else FALLBACK_FPS
        self.fps = fps
        self._pacer = Pacer(fps)

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
        ok, image = self._capture.read()
        if not ok or image is None:  # the end (or a truncated tail): loop from the start
            image = self._restart()
        height, width = image.shape[:2]
        return SourceFrame(width, height, image=image)

    def _restart(self) -> Image:
        self._raise_closed()
        identity = self._stat()  # deleted, emptied or made unreadable while playing
        if identity == self._identity and self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0):
            ok, image = self._capture.read()
            if ok and image is not None:
                return cast(Image, image)
        # Seeking failed (some containers), or the file was replaced by a new one (an
        # updated clip): open it again and play from its start.
        logger.info("reopening %s", self.path)
        self._identity = identity
        if self._capture.reopen():
            ok, image = self._capture.read()
            if ok and image is not None:
                return cast(Image, image)
        self._raise_closed()
        raise SourceError(f"no frames could be read from {self.path} (damaged or truncated?)")

    def _raise_closed(self) -> None:
        if self._closed.is_set() or self._capture.closed:
            raise SourceError("file source closed")

    def close(self) -> None:
        """Release the file; a read waiting for its deadline returns at once."""
        self._closed.set()
        self._capture.close()
