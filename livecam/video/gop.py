"""The GOP cache of one H.264 stream in a web process: init + fragments since the last keyframe.

A new viewer starts at the cached keyframe and shows a picture at once; a viewer that falls
behind finds its next fragment gone (a newer keyframe replaced the GOP) and starts again at
that keyframe, never mid-GOP. Bounded in fragments and bytes: past the bound (a source with
very long GOPs) the GOP is given up and viewers wait for the next keyframe.
"""

from __future__ import annotations

from livecam.video.packet import VideoPacket

MAX_FRAGMENTS = 600
"""Fragments kept per GOP (20 s at 30 fps)."""
MAX_BYTES = 16 * 1024 * 1024
"""Bytes kept per GOP."""


class GopCache:
    """Fragments since the last keyframe, numbered for every viewer (event loop only)."""

    def __init__(self) -> None:
        self.init = b""
        """Init segment of the cached GOP (one object per distinct segment)."""
        self.packets: list[VideoPacket] = []
        self.base = 0
        """Number of ``packets[0]``; numbers run on across GOPs."""
        self.keyed = False
        """True when ``packets[0]`` is a keyframe, so a viewer may start there."""
        self.bytes = 0
        self.last_decode_time = -1
        self._inits: dict[bytes, bytes] = {}

    @property
    def end(self) -> int:
        """Return the number the next fragment will get."""
        return self.base + len(self.packets)

    def put(self, packet: VideoPacket) -> bool:
        """Add a packet; return False when it was dropped (no GOP to attach it to, stale)."""
        if packet.decode_time <= self.last_decode_time:
            return False  # a duplicate or a late message: the timeline never steps back
        if packet.keyframe:
            if not packet.init and not self.init:
                return False
            if packet.init and packet.init != self.init:
                # The same bytes arrive as a new object with every keyframe (Redis): keep one
                # object per segment so viewers that sent it see it as already sent.
                self.init = self._inits.setdefault(packet.init, packet.init)
                if len(self._inits) > 8:
                    self._inits = {self.init: self.init}
            self.base = self.end
            self.packets = [packet]
            self.bytes = len(packet.fragment)
            self.keyed = True
        elif not self.keyed:
            return False  # joined mid-GOP (or gave the GOP up): wait for a keyframe
        elif len(self.packets) >= MAX_FRAGMENTS or self.bytes >= MAX_BYTES:
            self.base, self.packets, self.bytes, self.keyed = self.end + 1, [], 0, False
            return False
        else:
            self.packets.append(packet)
            self.bytes += len(packet.fragment)
        self.last_decode_time = packet.decode_time
        return True

    def get(self, number: int) -> VideoPacket | None:
        """Return fragment ``number`` if it is still cached."""
        index = number - self.base
        return self.packets[index] if 0 <= index < len(self.packets) else None

    def clear(self) -> None:
        """Forget the GOP (camera off): the next viewer waits for a new keyframe."""
        self.base, self.packets, self.bytes, self.keyed = self.end + 1, [], 0, False
