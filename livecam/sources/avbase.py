"""What every PyAV reader shares: the frame rate, and reads closable from another thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ContainerReader:
    """A PyAV container read by one thread, closable from another without waiting.

    A subclass opens ``_container`` and ``_stream`` and reads through ``_read_guarded``.
    """

    _container: Any
    _stream: Any

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closing = False
        self._closed = False

    @property
    def fps(self) -> float:
        """Return the stream's frame rate (0 when it does not say)."""
        rate = self._stream.average_rate or self._stream.guessed_rate
        return float(rate) if rate else 0.0

    def close(self) -> None:
        """Close the reader; from another thread, never waits for a read in progress.

        A read blocked on the network returns within the read timeout; the reading thread
        then closes the container itself.
        """
        self._closing = True
        if self._lock.acquire(blocking=False):
            try:
                self._close_locked()
            finally:
                self._lock.release()

    def _read_guarded(self, read: Callable[[], T | None]) -> T | None:
        """Run ``read`` under the lock; None once closed, and close if asked meanwhile."""
        with self._lock:
            try:
                if self._closing:
                    return None
                return read()
            finally:
                if self._closing:  # close() came while this read was in progress
                    self._close_locked()

    def _close_locked(self) -> None:
        if not self._closed:
            self._closed = True
            self._container.close()
            self._after_close()

    def _after_close(self) -> None:
        """Release what the subclass holds besides the container (nothing by default)."""
