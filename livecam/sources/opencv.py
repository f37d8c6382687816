"""A cv2.VideoCapture that another thread may close safely (OpenCV itself is not thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import cv2


class GuardedCapture:
    """Own one VideoCapture: reads hold a lock; ``close`` from another thread never races one.

    When a read is in progress, ``close`` only marks the capture closed and the reading thread
    releases it when its read returns. A read that never returns is the watchdog's business.
    """

    def __init__(self, opener: Callable[[], Any]) -> None:
        self._opener = opener
        self._capture: Any = None
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def open(self) -> Any:
        """Open the capture; return it (or None when OpenCV could not open it)."""
        self._closed.clear()
        capture = self._opener()
        if not capture.isOpened():
            capture.release()
            return None
        self._capture = capture
        return capture

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
            if self._closed.is_set():
                self._release_locked()
                return False, None
            return bool(ok), image

    def get(self, prop: int) -> float:
        """Return a capture property (0 when closed)."""
        capture = self._capture
        return float(capture.get(prop)) if capture is not None else 0.0

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


FOURCC_MJPG = int(cv2.VideoWriter.fourcc(*"MJPG"))
