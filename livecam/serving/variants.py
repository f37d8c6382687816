"""Smaller variants of a stream (``?width=W``) in a web process: fanned out, never encoded here.

Capture resizes and encodes each watched width once per frame (``livecam.capture.variants``)
and the bus brings the result to every web process; this module holds one slot per watched
(camera, width), tells the bus which widths its viewers watch, and fills the slots from what
arrives. A width at least as wide as the camera's frame shares the full-size frame as it is.
Only a snapshot at a width nobody streams is encoded here, once per frame for all its pollers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

from livecam.bus.slot import LatestFrameSlot
from livecam.frames import CameraStatus, Frame

logger = logging.getLogger(__name__)

WIDTHS = (160, 240, 320, 480, 640, 800, 960, 1280, 1600, 1920)
"""The widths served; a request is rounded down to one, so clients cannot ask for arbitrary
sizes (each distinct width costs one encode per frame)."""

WatchHandler = Callable[[str, frozenset[int]], None]


def bucket(requested: int) -> int:
    """Return the allowed width for a requested one (never below the smallest)."""
    allowed = [width for width in WIDTHS if width <= requested]
    return allowed[-1] if allowed else WIDTHS[0]


def scaled(frame: Frame, width: int) -> Frame:
    """Return the frame resized to `width` (keeping the aspect ratio), decoded and encoded."""
    from livecam.capture import processing
    from livecam.capture.variants import scale

    # Scaled while decoding where it can be (by 1/2, 1/4, 1/8): less left for the resize.
    return scale(frame, processing.decode(frame.jpeg, width), width)


class Variants:
    """The variant slots of one process, fed by the bus with what capture encoded."""

    def __init__(self, loop: asyncio.AbstractEventLoop, keepalive: float) -> None:
        self._loop = loop
        self._keepalive = keepalive
        self._slots: dict[tuple[str, int], LatestFrameSlot] = {}
        self._stills: dict[tuple[str, int], tuple[tuple[int, float], asyncio.Future[Frame]]] = {}
        self.on_watch: WatchHandler | None = None
        """Called with (camera_id, widths watched here) when a camera's set of widths changes."""

    def slot(self, camera_id: str, width: int, status: CameraStatus) -> LatestFrameSlot:
        """Return the slot of a variant, creating it (with the camera's status) on first use."""
        key = (camera_id, width)
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = LatestFrameSlot(camera_id, self._loop, self._keepalive)
            slot.set_status(self._status_for(status, width))
        return slot

    def acquire(self, camera_id: str, width: int, status: CameraStatus) -> LatestFrameSlot:
        """Count a viewer of a variant in and return its slot (capture hears of a new width)."""
        slot = self.slot(camera_id, width, status)
        slot.add_viewer()
        if slot.viewers == 1:
            self._changed(camera_id)
        return slot

    def release(self, camera_id: str, width: int) -> None:
        """Count a viewer of a variant out; drop the variant with its last viewer."""
        key = (camera_id, width)
        slot = self._slots.get(key)
        if slot is None:
            return
        slot.remove_viewer()
        if slot.viewers == 0:
            del self._slots[key]
            self._changed(camera_id)

    def widths(self, camera_id: str) -> frozenset[int]:
        """Return the widths of a camera watched in this process."""
        return frozenset(w for (c, w), s in self._slots.items() if c == camera_id and s.viewers)

    def watched(self) -> dict[tuple[str, int], int]:
        """Return the viewers of every watched (camera, width) in this process."""
        return {key: slot.viewers for key, slot in list(self._slots.items()) if slot.viewers}

    async def still(self, frame: Frame, width: int) -> Frame:
        """Return `frame` at `width` for a snapshot: resized and encoded once per frame and width.

        Dashboards poll small snapshots of many cameras; every poller of the same width shares
        one encode, or reuses the frame capture encoded for a stream of that width.
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
            future.add_done_callback(lambda done: self._counted(key, done))
            cached = self._stills[key] = (identity, future)
        # Shielded: a poller that disconnects must not cancel the encode the others await.
        return await asyncio.shield(cached[1])

    def _counted(self, key: tuple[str, int], done: asyncio.Future[Frame]) -> None:
        from livecam import metrics  # not at import: metrics reads the bus, which holds the hub

        if not done.cancelled() and done.exception() is None:
            metrics.VARIANT_FRAMES_ENCODED.labels(key[0], str(key[1])).inc()

    def on_frame(self, frame: Frame) -> None:
        """Share a full-size frame with the watched widths no smaller than it."""
        for (camera_id, width), slot in self._slots.items():
            if camera_id == frame.camera_id and slot.viewers and width >= frame.width:
                slot.put(frame)

    def deliver(self, frame: Frame, width: int) -> None:
        """Store a variant capture encoded (dropped when nobody here watches that width)."""
        slot = self._slots.get((frame.camera_id, width))
        if slot is None or not slot.viewers:
            return
        current = slot.frame
        if current is not None and current.captured_at > frame.captured_at:
            return  # a late one (the newest was fetched when the width was first watched)
        slot.put(frame)

    def on_status(self, status: CameraStatus) -> None:
        """Mirror the camera's status into its variants (placeholders sized to the variant)."""
        for (camera_id, width), slot in self._slots.items():
            if camera_id == status.camera_id:
                slot.set_status(self._status_for(status, width))

    def close(self) -> None:
        """End every variant stream."""
        for slot in self._slots.values():
            slot.close()

    def _changed(self, camera_id: str) -> None:
        if self.on_watch is not None:
            self.on_watch(camera_id, self.widths(camera_id))

    @staticmethod
    def _status_for(status: CameraStatus, width: int) -> CameraStatus:
        if not status.width or width >= status.width:
            return status
        height = max(2, round(status.height * width / status.width))
        return dataclasses.replace(status, width=width, height=height)
