"""Video files, looped at their own frame rate (OpenCV with its bundled FFmpeg)."""

from __future__ import annotations

import os
import threading
import time
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

_FALLBACK_FPS = 25.0


class FileSource(FrameSource):
    """Play a video file in a loop, paced at the file's frame rate."""

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.path = spec.target
        self._capture: cv2.VideoCapture | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._period = 1.0 / _FALLBACK_FPS
        self._next_due = 0.0

    def open(self) -> None:
        """Open the file; a missing or unreadable file is a SourceError with the reason."""
        if not os.path.isfile(self.path):
            raise SourceError(f"file not found: {self.path}")
        capture = cv2.VideoCapture(self.path)
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"cannot read video file: {self.path}")
        fps = capture.get(cv2.CAP_PROP_FPS)
        # Some containers report 0 or absurd rates; fall back to the configured or a sane one.
        if not 0 < fps <= 240:
            fps = self.options.fps or _FALLBACK_FPS
        self._period = 1.0 / fps
        with self._lock:
            self._capture = capture
        self._closed.clear()
        self._next_due = time.monotonic()

    def read(self) -> SourceFrame:
        """Return the next frame when due; at the end of the file start again."""
        self._next_due += self._period
        delay = self._next_due - time.monotonic()
        if delay < -self._period:
            self._next_due = time.monotonic()
        elif self._closed.wait(max(0.0, delay)):
            raise SourceError("file source closed")
        image = self._grab()
        if image is None:  # end of file (or a truncated tail): loop from the start
            self._rewind()
            image = self._grab()
            if image is None:
                raise SourceError(f"no frames could be read from {self.path}")
        height, width = image.shape[:2]
        return SourceFrame(width, height, image=image)

    def _grab(self) -> Image | None:
        with self._lock:
            capture = self._capture
            if capture is None:
                raise SourceError("file source closed")
            ok, image = capture.read()
        return cast(Image, image) if ok and image is not None else None

    def _rewind(self) -> None:
        if not os.path.isfile(self.path):
            raise SourceError(f"file not found: {self.path}")
        with self._lock:
            if self._capture is None:
                raise SourceError("file source closed")
            if self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0) and self._capture.grab():
                self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                return
            # Seeking failed (some containers): reopen the file instead.
            self._capture.release()
            self._capture = cv2.VideoCapture(self.path)
            if not self._capture.isOpened():
                raise SourceError(f"cannot reopen video file: {self.path}")

    def close(self) -> None:
        """Release the file; a read waiting for its deadline returns at once."""
        self._closed.set()
        with self._lock:
            capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()
