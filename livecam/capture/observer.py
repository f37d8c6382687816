"""Frame observers: code that sees each captured frame in the capture thread (motion, recording).

The worker calls every registered observer once per frame. Observers must return in
microseconds — they hand work to their own threads — so capture keeps its frame rate. An
observer may also draw on a camera's frames before the one encode (the motion overlay).
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from livecam.frames import Frame
from livecam.sources.base import Image

logger = logging.getLogger(__name__)


class FrameObserver(Protocol):
    """What the capture worker calls; every method runs in the camera's capture thread."""

    def draws(self, camera_id: str) -> bool:
        """Return True when this observer wants to draw on the camera's frames."""

    def draw(self, camera_id: str, image: Image, captured_at: float) -> Image:
        """Return the image to encode; draw on a copy, ``image`` is also given to ``on_frame``."""

    def on_frame(self, frame: Frame, image: Image | None) -> None:
        """See a published frame and its undrawn image (None when the JPEG passed through)."""

    def on_session_end(self, camera_id: str) -> None:
        """Finish what needs frames: the camera's source was closed (OFF, error, reconnect)."""

    def close(self, timeout: float) -> None:
        """Finish files and threads within ``timeout`` seconds (capture is stopping)."""


_observers: tuple[FrameObserver, ...] = ()
_lock = threading.Lock()


def add(observer: FrameObserver) -> None:
    """Register an observer for every camera of this process."""
    global _observers
    with _lock:
        _observers = (*_observers, observer)


def remove(observer: FrameObserver) -> None:
    """Unregister an observer."""
    global _observers
    with _lock:
        _observers = tuple(o for o in _observers if o is not observer)


def observers() -> tuple[FrameObserver, ...]:
    """Return the registered observers (a tuple: read without a lock on the hot path)."""
    return _observers


def session_ended(camera_id: str) -> None:
    """Tell every observer that a camera's source was closed."""
    for observer in _observers:
        try:
            observer.on_session_end(camera_id)
        except Exception:
            logger.exception("camera %s: observer failed at session end", camera_id)


def close_all(timeout: float) -> None:
    """Close and unregister every observer (capture is stopping)."""
    global _observers
    with _lock:
        current, _observers = _observers, ()
    for observer in current:
        try:
            observer.close(timeout)
        except Exception:
            logger.exception("closing a frame observer failed")


def drawing(watchers: tuple[FrameObserver, ...], camera_id: str) -> list[FrameObserver]:
    """Return the observers that draw on this camera's frames (forces a decode and encode)."""
    return [w for w in watchers if w.draws(camera_id)] if watchers else []


def draw(drawers: list[FrameObserver], camera_id: str, image: Image, at: float) -> Image:
    """Let each drawing observer draw; a failing one is skipped, never the frame."""
    for drawer in drawers:
        try:
            image = drawer.draw(camera_id, image, at)
        except Exception:
            logger.exception("camera %s: drawing on the frame failed", camera_id)
    return image


def notify(watchers: tuple[FrameObserver, ...], frame: Frame, image: Image | None) -> None:
    """Hand a published frame to every observer; a failing observer never stops capture."""
    for watcher in watchers:
        try:
            watcher.on_frame(frame, image)
        except Exception:
            logger.exception("camera %s: frame observer failed", frame.camera_id)
