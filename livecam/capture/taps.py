"""Who else takes a camera's full-size H.264 in the capture process: motion and manual recordings.

A tap asks for the full-size stream (capture then encodes it once, or passes the camera's own
H.264 through) and receives every full-size fragment, the very bytes viewers and continuous
recording get. Called from capture threads: a tap must never block.
"""

from __future__ import annotations

import threading
from typing import Protocol

from livecam.video.packet import VideoPacket


class PacketTap(Protocol):
    """Receives a camera's full-size H.264 fragments while it wants them."""

    def wants_h264(self, camera_id: str) -> bool:
        """Return True while the camera's full-size H.264 is needed."""

    def on_packet(self, packet: VideoPacket) -> None:
        """Take one full-size fragment (capture thread; never blocks)."""


_taps: tuple[PacketTap, ...] = ()
_lock = threading.Lock()


def add(tap: PacketTap) -> None:
    """Register a tap (once)."""
    global _taps
    with _lock:
        if tap not in _taps:
            _taps = (*_taps, tap)


def remove(tap: PacketTap) -> None:
    """Unregister a tap."""
    global _taps
    with _lock:
        _taps = tuple(each for each in _taps if each is not tap)


def wants(camera_id: str) -> bool:
    """Return True when some tap needs the camera's full-size H.264 (capture thread)."""
    return any(tap.wants_h264(camera_id) for tap in _taps)


def on_packet(packet: VideoPacket) -> None:
    """Hand a full-size fragment to every tap (capture thread)."""
    for tap in _taps:
        tap.on_packet(packet)
