"""The H.264 streams of one web process, and which (camera, width) pairs its viewers watch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from livecam.bus.slot import LatestFrameSlot
from livecam.frames import CameraStatus
from livecam.video.packet import VideoPacket
from livecam.video.slot import VideoSlot

WatchHandler = Callable[[str, frozenset[int]], None]


class VideoSlots:
    """One `VideoSlot` per watched (camera, width); tells the bus when the widths change."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.slots: dict[tuple[str, int], VideoSlot] = {}
        self.on_watch: WatchHandler | None = None
        """Called with (camera_id, widths watched here) when a camera's set of widths changes."""
        self.viewers_of: dict[str, int] = {}
        """H.264 viewers per camera in this process, over every width (read by capture)."""

    def acquire(self, camera: LatestFrameSlot, width: int) -> VideoSlot:
        """Count a viewer of a stream in and return its slot."""
        key = (camera.camera_id, width)
        slot = self.slots.get(key)
        if slot is None:
            slot = self.slots[key] = VideoSlot(camera, width, self._loop)
        slot.add_viewer()
        self.viewers_of[camera.camera_id] = self.viewers_of.get(camera.camera_id, 0) + 1
        if slot.viewers == 1:
            self._changed(camera.camera_id)
        return slot

    def release(self, slot: VideoSlot) -> None:
        """Count a viewer out; forget the stream with its last viewer."""
        slot.remove_viewer()
        key = (slot.camera.camera_id, slot.width)
        left = self.viewers_of.get(key[0], 0) - 1
        if left > 0:
            self.viewers_of[key[0]] = left
        else:
            self.viewers_of.pop(key[0], None)
        if slot.viewers == 0 and self.slots.get(key) is slot:
            del self.slots[key]
            self._changed(key[0])

    def widths(self, camera_id: str) -> frozenset[int]:
        """Return the widths of a camera watched in this process."""
        return frozenset(w for (c, w), s in self.slots.items() if c == camera_id and s.viewers)

    def watched(self) -> dict[str, frozenset[int]]:
        """Return every camera watched here in H.264 with its widths."""
        result: dict[str, set[int]] = {}
        for (camera_id, width), slot in self.slots.items():
            if slot.viewers:
                result.setdefault(camera_id, set()).add(width)
        return {camera_id: frozenset(widths) for camera_id, widths in result.items()}

    def deliver(self, packet: VideoPacket) -> None:
        """Store a packet from the bus in its stream's GOP (dropped when nobody watches)."""
        slot = self.slots.get((packet.camera_id, packet.width))
        if slot is not None:
            slot.put(packet)

    def on_status(self, status: CameraStatus) -> None:
        """Wake a camera's viewers so they switch between live and placeholder at once."""
        for (camera_id, _width), slot in self.slots.items():
            if camera_id == status.camera_id:
                slot.wake()

    def forget(self, camera_id: str) -> None:
        """End the streams of a removed camera."""
        for key in [k for k in self.slots if k[0] == camera_id]:
            self.slots.pop(key).close()

    def close(self) -> None:
        """End every stream (shutdown)."""
        for slot in self.slots.values():
            slot.close()

    def _changed(self, camera_id: str) -> None:
        if self.on_watch is not None:
            self.on_watch(camera_id, self.widths(camera_id))
