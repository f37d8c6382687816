"""A cv2.VideoCapture that another thread may close safely (OpenCV itself is not thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import cv2

FOURCC_MJPG = int(cv2.VideoWriter.fourcc(*"MJPG"))
"""The V4L2/FOURCC code of Motion-JPEG."""


class GuardedCapture:
    """Own one VideoCapture: calls hold a lock, and ``close`` from another thread never races.

    When a read is in progress, ``close`` only marks the capture closed and the reading thread
    releases it when its read returns. A read that never returns is the watchdog's business.
    """

    def __init__(self, opener: Callable[[], Any]) -> None:
        self._opener = opener
        self._capture: Any = None
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def open(self) -> bool:
        """Open the capture; return False when OpenCV could not open it (or close was asked)."""
        self._closed.clear()
        with self._lock:
            self._release_locked()
            return self._open_locked()

    def reopen(self) -> bool:
        """Release and open again (a file whose seek failed); False when that fails."""
        with self._lock:
            self._release_locked()
            return not self._closed.is_set() and self._open_locked()

    def _open_locked(self) -> bool:
        capture = self._opener()
        # close() may have run while the opener blocked (a network connect): honour it.
        if not capture.isOpened() or self._closed.is_set():
            capture.release()
            return False
        self._capture = capture
        return True

    @property
    def closed(self) -> bool:
        """Return True once close was asked."""
        return self._closed.is_set()

    def read(self) -> tuple[bool, Any]:
        """Read one frame; (False, None) when closed or when OpenCV failed."""
        with self._lock:
            capture = self._capture
            if capture is None or self._closed.is_set():
                return False, None
            ok, image = capture.read()
            if self._closed.is_set():  # closed while we read: we release, close() could not
                self._release_locked()
                return False, None
            return bool(ok), image

    def get(self, prop: int) -> float:
        """Return a capture property (0 when closed)."""
        with self._lock:
            capture = self._capture
            return float(capture.get(prop)) if capture is not None else 0.0

    def set(self, prop: int, value: float) -> bool:
        """Set a capture property; return whether the backend accepted it."""
        with self._lock:
            capture = self._capture
            return bool(capture.set(prop, value)) if capture is not None else False

    def close(self) -> None:
        """Release now, or let the thread in ``read`` release when it returns."""
        self._closed.set()
        if self._lock.acquire(blocking=False):
            try:
                self._release_locked()
            finally:
                self._lock.release()

    def _release_locked(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()
