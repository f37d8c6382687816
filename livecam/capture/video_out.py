"""Where a camera's H.264 goes: the widths viewers watch, and full size for recordings."""

from __future__ import annotations

from livecam.bus.base import FrameBus
from livecam.capture import recording, taps
from livecam.video.packet import VideoPacket

_FULL = frozenset({0})  # the full-size H.264 stream (width 0), which recordings write


class VideoOut:
    """Tell the producer which widths to encode and hand it a sink for the packets."""

    def __init__(self, bus: FrameBus) -> None:
        self.bus = bus

    def widths(self, camera_id: str) -> frozenset[int]:
        """Return the widths viewers watch, plus full size while the camera records (or may)."""
        widths = self.bus.video_widths(camera_id)
        if recording.wants(camera_id) or taps.wants(camera_id):
            return widths | _FULL
        return widths

    def publish(self, packet: VideoPacket) -> None:
        """Send a packet to viewers who watch its width; full size also goes to recordings."""
        if packet.width == 0:
            recording.on_packet(packet)
            taps.on_packet(packet)
        if packet.width in self.bus.video_widths(packet.camera_id):
            self.bus.publish_video(packet)
