"""One viewer of a camera's H.264 stream (``stream.mp4``): init, the GOP, then each fragment.

Driven by the same send loop, caps, access re-checks and send watchdog as MJPEG. Fragments
are the bytes muxed once in capture, shared by every viewer. A viewer that falls behind (its
next fragment is gone: a newer keyframe replaced the GOP) starts again at that keyframe,
never mid-GOP; one whose socket stops draining is evicted by the watchdog.
"""

from __future__ import annotations

from collections.abc import Callable

from livecam.bus.hub import Hub
from livecam.bus.slot import LatestFrameSlot
from livecam.serving.streaming import AccessGuard, PartStream
from livecam.video.slot import VideoSlot

CONTENT_TYPE = "video/mp4"
SEND_BUFFER = 64 * 1024
"""Kernel send buffer of a viewer's socket (Linux doubles it): under a second of a 1.2 Mbit/s
stream may wait there; beyond that the viewer counts as behind and skips to a keyframe."""
FIRST_PICTURE_WAIT = 1.0
"""Seconds a new viewer of a live camera waits for its first H.264 keyframe (the encoder
starts with its first viewer) before it is shown the "STARTING" placeholder instead."""


class Mp4Stream(PartStream):
    """One viewer of one (camera, width) H.264 stream."""

    send_buffer = SEND_BUFFER

    def __init__(
        self,
        hub: Hub,
        camera_id: str,
        *,
        width: int = 0,
        on_start: Callable[[str], None] | None = None,
        access: AccessGuard | None = None,
    ) -> None:
        self.hub = hub
        self.camera_id = camera_id
        self.width = width
        self.skipped = 0
        """Fragments this viewer missed because it fell behind (each skip ends at a keyframe)."""
        self._on_start = on_start
        self._access = access
        self._camera: LatestFrameSlot | None = None
        self._slot: VideoSlot | None = None
        self._init: bytes | None = None
        self._next = -1
        """Number of the next fragment to send; -1: start at the cached keyframe."""
        self._shown: bytes | None = None
        self._shown_until = -1
        """Decode time of the last placeholder sent: live pictures must come after it."""
        self._started_at = 0.0

    def start(self) -> bytes | None:
        """Count the viewer in (camera and stream); return the first bytes if any are ready."""
        hub = self.hub
        self._camera = hub.add_viewer(self.camera_id)
        if self._on_start is not None:
            self._on_start(self.camera_id)
        if hub.video is not None:
            self._slot = hub.video.acquire(self._camera, self.width)
        if hub.loop is not None:
            self._clock = hub.loop.time
        self._started_at = self._clock()
        self._start_access()
        return self.next_part()

    def next_part(self) -> bytes | None:
        """Return the bytes to send now, or None (then await `wait`)."""
        slot = self._slot
        if slot is None or slot.closed or self._clock() >= self._check_at:
            return None
        if slot.live:
            # The common case inline (every viewer, every fragment): the next fragment of
            # the GOP this viewer is in, past its keyframe.
            gop = slot.gop
            number = self._next
            index = number - gop.base
            packets = gop.packets
            if 0 < index < len(packets):
                self._next = number + 1
                part: bytes | None = packets[index].fragment
            else:
                part = self._live_part(slot)
        else:
            part = self._placeholder_part(slot)
        if part is not None:
            self._camera.mp4_bytes_sent += len(part)  # type: ignore[union-attr]
        return part

    def _live_part(self, slot: VideoSlot) -> bytes | None:
        gop = slot.gop
        number = self._next
        if number < gop.base:
            if number >= 0:
                self.skipped += gop.base - number
            number = self._next = gop.base  # the GOP's keyframe: never start mid-GOP
        if number == gop.base:
            keyframe = gop.get(number)
            if keyframe is not None and keyframe.decode_time <= self._shown_until:
                # This keyframe arrived while the camera still counted as off or starting, and
                # the placeholder sent meanwhile is dated after it: wait for the next keyframe,
                # so the timeline never steps back.
                self._next = -1
                return None
        if number == gop.base and self._init is not gop.init:
            self._init = gop.init  # a new stream, a new size, or back from a placeholder
            return gop.init
        packet = gop.get(number)
        if packet is None:
            return None
        self._next = number + 1
        self._shown = None
        return packet.fragment

    def _placeholder_part(self, slot: VideoSlot) -> bytes | None:
        camera = slot.camera
        waiting = camera.live and self._clock() - self._started_at < FIRST_PICTURE_WAIT
        if waiting and self._init is None:
            return None  # the encoder is starting: its keyframe is a moment away
        placeholder = slot.placeholder()
        if placeholder is None:
            return None  # being encoded; the slot wakes its viewers when it is ready
        init, fragment = placeholder
        self._next = -1  # when live again: start at a keyframe, after its init segment
        if init is not self._init:
            self._init = init
            return init
        if fragment is self._shown:
            return None
        self._shown = fragment
        self._shown_until = slot.still_time
        return fragment

    def close(self) -> None:
        """Count the viewer out (idempotent)."""
        if not self._close_once() or self._camera is None:
            return
        if self._slot is not None and self.hub.video is not None:
            self.hub.video.release(self._slot)
        self.hub.remove_viewer(self.camera_id)
