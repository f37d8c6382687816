"""The pre-roll ring: the last seconds of a camera's H.264, whole GOPs from a keyframe.

A motion recording starts with the seconds before the motion; H.264 can only be cut at a
keyframe, so the ring keeps whole GOPs: the newest one, and older ones while the GOP after
them starts later than ``keep`` seconds ago. What it returns therefore starts at the keyframe
at or before the asked moment. Bounded by ``MAX_BYTES``: past it the oldest GOPs go (and a
single GOP larger than that is given up until the next keyframe).
"""

from __future__ import annotations

import collections

from livecam.video.packet import VideoPacket

MAX_BYTES = 16 * 1024 * 1024
"""Bytes kept per camera (30 s pre-roll at 4 Mbit/s fits; the default 1.2 Mbit/s needs 0.8 MB
for 3 s + the confirmation slack + one GOP)."""


class PreRoll:
    """Recent fragments in whole GOPs (callers hold their own lock)."""

    def __init__(self) -> None:
        self._gops: collections.deque[list[VideoPacket]] = collections.deque()
        self.bytes = 0

    def put(self, packet: VideoPacket, keep: float) -> None:
        """Add a fragment; keep GOPs reaching ``keep`` seconds back from it."""
        if packet.keyframe and packet.init:
            self._gops.append([packet])
        elif self._gops:
            self._gops[-1].append(packet)
        else:
            return  # a recording can only start at a keyframe: wait for one
        self.bytes += len(packet.fragment)
        since = packet.captured_at - keep
        gops = self._gops
        while len(gops) > 1 and (gops[1][0].captured_at <= since or self.bytes > MAX_BYTES):
            self.bytes -= sum(len(each.fragment) for each in gops.popleft())
        if self.bytes > MAX_BYTES:
            self.clear()

    def since(self, at: float) -> list[VideoPacket]:
        """Return the fragments from the keyframe at or before ``at`` (or the oldest one).

        Never across a change of init segment (picture size, encoder): a file has one.
        """
        if not self._gops:
            return []
        init = self._gops[-1][0].init
        start = len(self._gops) - 1
        while start > 0 and self._gops[start][0].captured_at > at:
            if self._gops[start - 1][0].init != init:
                break
            start -= 1
        return [packet for gop in list(self._gops)[start:] for packet in gop]

    def clear(self) -> None:
        """Forget everything (H.264 not needed, or a GOP too large)."""
        self._gops.clear()
        self.bytes = 0
