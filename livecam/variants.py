"""Smaller variants of a stream (``?width=W``): each resized and encoded once per frame.

A variant exists only while someone watches it. Every new frame of the camera is resized and
encoded once per watched width, in a worker thread (libjpeg-turbo and OpenCV release the GIL),
and shared by all viewers of that width, exactly like the full-size stream. While one encode is
running, newer frames replace the pending one: a variant skips frames rather than queueing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from livecam.bus.slot import LatestFrameSlot
from livecam.frames import CameraStatus, Frame

logger = logging.getLogger(__name__)

WIDTHS = (160, 240, 320, 480, 640, 800, 960, 1280, 1600, 1920)
"""The widths served; a request is rounded down to one, so clients cannot ask for arbitrary
sizes (each distinct width costs one encode per frame)."""


def bucket(requested: int) -> int:
    """Return the allowed width for a requested one (never below the smallest)."""
    allowed = [width for width in WIDTHS if width <= requested]
    return allowed[-1] if allowed else WIDTHS[0]


def scaled(frame: Frame, width: int, quality: int = 75) -> Frame:
    """Return the frame resized to `width` (keeping the aspect ratio) and encoded once."""
    from livecam.capture import processing

    image = processing.decode(frame.jpeg)
    small = processing.process(image, width, 0, 0)
    height = small.shape[0]
    jpeg = processing.encode(small, quality)
    return Frame.create(frame.camera_id, frame.seq, jpeg, width, height, frame.captured_at)


class Variants:
    """The variant slots of one process, fed from the hub's full-size frames."""

    def __init__(self, loop: asyncio.AbstractEventLoop, keepalive: float) -> None:
        self._loop = loop
        self._keepalive = keepalive
        self._slots: dict[tuple[str, int], LatestFrameSlot] = {}
        self._pending: dict[tuple[str, int], Frame] = {}
        self._busy: set[tuple[str, int]] = set()
        self._stills: dict[tuple[str, int], tuple[tuple[int, float], asyncio.Future[Frame]]] = {}
        self.encodes: dict[str, int] = {}
        """Variant encodes per camera (read by the metrics collector)."""

    def slot(self, camera_id: str, width: int, status: CameraStatus) -> LatestFrameSlot:
        """Return the slot of a variant, creating it (with the camera's status) on first use."""
        key = (camera_id, width)
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = LatestFrameSlot(camera_id, self._loop, self._keepalive)
            slot.set_status(self._status_for(status, width))
        return slot

    def release(self, camera_id: str, width: int) -> None:
        """Drop a variant nobody watches any more."""
        key = (camera_id, width)
        slot = self._slots.get(key)
        if slot is not None and slot.viewers == 0:
            del self._slots[key]
            self._pending.pop(key, None)

    async def still(self, frame: Frame, width: int) -> Frame:
        """Return `frame` at `width` for a snapshot: resized and encoded once per frame and width.

        Dashboards poll small snapshots of many cameras; every poller of the same width shares
        one encode, or reuses the frame a stream variant of that width already encoded.
        """
        key = (frame.camera_id, width)
        identity = (frame.seq, frame.captured_at)
        slot = self._slots.get(key)
        shown = slot.frame if slot is not None else None
        if shown is not None and (shown.seq, shown.captured_at) == identity:
            return shown
        cached = self._stills.get(key)
        if cached is None or cached[0] != identity:
            future = self._loop.run_in_executor(None, scaled, frame, width)
            future.add_done_callback(lambda done: self._counted(frame.camera_id, done))
            cached = self._stills[key] = (identity, future)
        # Shielded: a poller that disconnects must not cancel the encode the others await.
        return await asyncio.shield(cached[1])

    def _counted(self, camera_id: str, done: asyncio.Future[Frame]) -> None:
        if not done.cancelled() and done.exception() is None:
            self.encodes[camera_id] = self.encodes.get(camera_id, 0) + 1

    def on_frame(self, frame: Frame) -> None:
        """Schedule one resize+encode per watched width of this camera."""
        for key, slot in self._slots.items():
            camera_id, width = key
            if camera_id != frame.camera_id or slot.viewers == 0:
                continue
            if width >= frame.width:
                slot.put(frame)  # no smaller than the frame itself: share the frame as it is
            elif key in self._busy:
                self._pending[key] = frame  # the newest waits; older ones are skipped
            else:
                self._start(key, frame)

    def on_status(self, status: CameraStatus) -> None:
        """Mirror the camera's status into its variants (placeholders sized to the variant)."""
        for (camera_id, width), slot in self._slots.items():
            if camera_id == status.camera_id:
                slot.set_status(self._status_for(status, width))

    def close(self) -> None:
        """End every variant stream."""
        for slot in self._slots.values():
            slot.close()

    def _start(self, key: tuple[str, int], frame: Frame) -> None:
        self._busy.add(key)
        future = self._loop.run_in_executor(None, scaled, frame, key[1])
        future.add_done_callback(lambda done: self._finished(key, done))

    def _finished(self, key: tuple[str, int], done: asyncio.Future[Frame]) -> None:
        self._busy.discard(key)
        slot = self._slots.get(key)
        if done.cancelled():
            return
        error = done.exception()
        if error is not None:
            logger.warning("variant %s@%d failed: %s", key[0], key[1], error)
        elif slot is not None:
            self.encodes[key[0]] = self.encodes.get(key[0], 0) + 1
            slot.put(done.result())
        pending = self._pending.pop(key, None)
        if pending is not None and slot is not None and slot.viewers:
            self._start(key, pending)

    @staticmethod
    def _status_for(status: CameraStatus, width: int) -> CameraStatus:
        if not status.width or width >= status.width:
            return status
        height = max(2, round(status.height * width / status.width))
        return dataclasses.replace(status, width=width, height=height)
