"""This web process's view of every camera: latest-frame slots, statuses, event listeners."""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable

from livecam.bus.event import CameraEvent
from livecam.bus.slot import LatestFrameSlot
from livecam.frames import CameraStatus, Frame
from livecam.serving.variants import Variants
from livecam.video.packet import VideoPacket
from livecam.video.slots import VideoSlots

logger = logging.getLogger(__name__)


class StatusListener:
    """One event subscriber (an SSE client): coalesces changes per camera, never queues more."""

    def __init__(self) -> None:
        self._pending: dict[str, CameraStatus] = {}
        # Events are not coalesced like statuses (each one matters), but bounded all the same.
        self._events: collections.deque[CameraEvent] = collections.deque(maxlen=256)
        self._event = asyncio.Event()
        self.closed = False

    def push(self, status: CameraStatus) -> None:
        """Record the newest status of a camera (older pending ones are replaced)."""
        self._pending[status.camera_id] = status
        self._event.set()

    def push_event(self, event: CameraEvent) -> None:
        """Queue a camera event (the oldest is dropped beyond 256 unread ones)."""
        self._events.append(event)
        self._event.set()

    def close(self) -> None:
        """Wake the listener for good."""
        self.closed = True
        self._event.set()

    async def get(self, timeout: float) -> list[CameraStatus | CameraEvent]:  # noqa: ASYNC109
        """Return the changes since the last call; an empty list after `timeout` seconds."""
        if not self._pending and not self._events and not self.closed:
            try:
                async with asyncio.timeout(timeout):
                    await self._event.wait()
            except TimeoutError:
                return []
        self._event.clear()
        changes: list[CameraStatus | CameraEvent] = list(self._pending.values())
        self._pending.clear()
        changes.extend(self._events)
        self._events.clear()
        return changes


VIEWERS_NOTICE_DELAY = 0.25
"""Seconds a change of viewer count waits before open pages hear it (a burst is one event)."""


class Hub:
    """Hold one slot per camera and fan statuses out to listeners; lives on the event loop."""

    def __init__(self, keepalive: float = 1.0) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.slots: dict[str, LatestFrameSlot] = {}
        self.listeners: set[StatusListener] = set()
        self.closed = False
        self.keepalive = keepalive
        self.stale_after = 3.0
        """Seconds without frames before an online camera's viewers see "NO SIGNAL"."""
        self.variants: Variants | None = None
        """Smaller variants (``?width=``), created when the hub is bound to its loop."""
        self.video: VideoSlots | None = None
        """The H.264 streams (``stream.mp4``), created when the hub is bound to its loop."""
        self.on_video_watch: Callable[[str, frozenset[int]], None] | None = None
        """Called with (camera_id, widths) when the H.264 widths watched here change."""
        self.on_variant_watch: Callable[[str, frozenset[int]], None] | None = None
        """Called with (camera_id, widths) when the JPEG variant widths watched here change."""
        self.on_watch: Callable[[str, int], None] | None = None
        """Called with (camera_id, viewers) when a camera gains its first or loses its last."""
        self._viewers_changed: set[str] = set()
        self._viewers_notice: asyncio.TimerHandle | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach the hub to the server's event loop (at startup)."""
        self.loop = loop
        self.closed = False
        self.variants = Variants(loop, self.keepalive)
        self.variants.on_watch = self._variant_watch
        self.video = VideoSlots(loop)
        self.video.on_watch = self._video_watch

    def slot(self, camera_id: str) -> LatestFrameSlot:
        """Return the slot of a camera, creating it on first use."""
        slot = self.slots.get(camera_id)
        if slot is None:
            loop = self.loop or asyncio.get_running_loop()
            slot = self.slots[camera_id] = LatestFrameSlot(camera_id, loop, self.keepalive)
            slot.stale_after = self.stale_after
            slot.closed = self.closed
        return slot

    def status(self, camera_id: str) -> CameraStatus | None:
        """Return the last status heard for a camera, if any."""
        slot = self.slots.get(camera_id)
        return slot.status if slot is not None and slot.heard else None

    def deliver_frame(self, frame: Frame) -> None:
        """Store a frame that arrived from the bus (event loop thread)."""
        if not self.closed:
            self.slot(frame.camera_id).put(frame)
            if self.variants is not None:
                self.variants.on_frame(frame)

    def deliver_video(self, packet: VideoPacket) -> None:
        """Store an H.264 packet that arrived from the bus (event loop thread)."""
        if not self.closed and self.video is not None:
            self.video.deliver(packet)

    def deliver_variant(self, frame: Frame, width: int) -> None:
        """Store a JPEG variant capture encoded for `width` (event loop thread)."""
        if not self.closed and self.variants is not None:
            self.variants.deliver(frame, width)

    def _variant_watch(self, camera_id: str, widths: frozenset[int]) -> None:
        if self.on_variant_watch is not None:
            self.on_variant_watch(camera_id, widths)

    def _video_watch(self, camera_id: str, widths: frozenset[int]) -> None:
        if self.on_video_watch is not None:
            self.on_video_watch(camera_id, widths)

    def deliver_status(self, status: CameraStatus) -> None:
        """Store a status that arrived from the bus and tell every listener."""
        if self.closed:
            return
        self.slot(status.camera_id).set_status(status)
        if self.variants is not None:
            self.variants.on_status(status)
        if self.video is not None:
            self.video.on_status(status)
        for listener in self.listeners:
            listener.push(status)

    def deliver_event(self, event: CameraEvent) -> None:
        """Tell every listener about a camera event that arrived from the bus."""
        if self.closed:
            return
        for listener in self.listeners:
            listener.push_event(event)

    def add_viewer(self, camera_id: str) -> LatestFrameSlot:
        """Count a viewer of a camera in and return the camera's slot."""
        slot = self.slot(camera_id)
        slot.add_viewer()
        if slot.viewers == 1 and self.on_watch is not None:
            self.on_watch(camera_id, 1)
        self._count_changed(camera_id)
        return slot

    def remove_viewer(self, camera_id: str) -> None:
        """Count a viewer out (from the stream's ``finally``)."""
        slot = self.slots.get(camera_id)
        if slot is None:
            return
        slot.remove_viewer()
        if slot.viewers == 0 and self.on_watch is not None:
            self.on_watch(camera_id, 0)
        self._count_changed(camera_id)

    def _count_changed(self, camera_id: str) -> None:
        """Tell open pages a camera's viewer count changed, at most once per notice delay."""
        if not self.listeners or self.loop is None:
            return  # nobody listens: a viewer costs nothing more
        self._viewers_changed.add(camera_id)
        if self._viewers_notice is None:
            self._viewers_notice = self.loop.call_later(VIEWERS_NOTICE_DELAY, self._notify_counts)

    def _notify_counts(self) -> None:
        self._viewers_notice = None
        changed, self._viewers_changed = self._viewers_changed, set()
        if self.closed:
            return
        for camera_id in changed:
            slot = self.slots.get(camera_id)
            if slot is not None and slot.heard:
                # The listener turns the status into the camera's JSON with current counts.
                for listener in self.listeners:
                    listener.push(slot.status)

    def jpeg_viewers(self, camera_id: str) -> int:
        """Return the viewers of a camera here that are not H.264 viewers (safe from any thread).

        MJPEG, tile, variant and snapshot viewers: while there are none, capture can leave the
        camera's JPEG to be made only if something asks for it.
        """
        slot = self.slots.get(camera_id)
        if slot is None:
            return 0
        video = self.video
        return slot.viewers - (video.viewers_of.get(camera_id, 0) if video is not None else 0)

    def total_viewers(self) -> int:
        """Return the number of viewers in this process."""
        return sum(slot.viewers for slot in self.slots.values())

    def forget(self, camera_id: str) -> None:
        """Drop a removed camera: end its streams and free its slot."""
        slot = self.slots.pop(camera_id, None)
        if slot is not None:
            slot.close()
            if slot.viewers and self.on_watch is not None:
                self.on_watch(camera_id, 0)  # its viewers are no longer counted anywhere
        if self.video is not None:
            self.video.forget(camera_id)
        from livecam import metrics  # metrics reads the hub when registered: import late

        metrics.forget(camera_id)  # /metrics lists no camera that is gone

    def close(self) -> None:
        """End every stream and event listener (server shutdown)."""
        self.closed = True
        for slot in self.slots.values():
            slot.close()
        if self.variants is not None:
            self.variants.close()
        if self.video is not None:
            self.video.close()
        for listener in list(self.listeners):
            listener.close()
