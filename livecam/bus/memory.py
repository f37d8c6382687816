"""The in-memory bus: capture and web share one process (the zero-setup default)."""

from __future__ import annotations

import logging

from livecam.bus.base import ControlMessage, FrameBus
from livecam.frames import CameraStatus, Frame

logger = logging.getLogger(__name__)


class MemoryFrameBus(FrameBus):
    """Hand frames from capture threads to the event loop; control goes straight to capture."""

    def publish_frame(self, frame: Frame) -> None:
        """Queue the frame onto the loop; one wake-up per frame, whatever the viewer count."""
        loop = self.hub.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self.hub.deliver_frame, frame)
        except RuntimeError:  # the loop closed between the check and the call (shutdown)
            pass

    def jpeg_wanted(self, camera_id: str) -> bool:
        """Encode at once only while someone here watches more than H.264 (MJPEG, tiles...)."""
        return self.hub.jpeg_viewers(camera_id) > 0

    def publish_status(self, status: CameraStatus) -> None:
        """Queue the status onto the loop."""
        loop = self.hub.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self.hub.deliver_status, status)
        except RuntimeError:
            pass

    async def send_control(self, message: ControlMessage) -> None:
        """Call the capture handlers directly: they only enqueue work, so this never blocks."""
        self._dispatch_control(message)
