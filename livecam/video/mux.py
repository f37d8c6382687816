"""Mux one stream's encoded pictures into fragmented MP4, once, for every viewer."""

from __future__ import annotations

from livecam.video import boxes, h264
from livecam.video.encoder import AccessUnit
from livecam.video.packet import VideoPacket

_MIN_DURATION = boxes.TIMESCALE // 240
_MAX_DURATION = boxes.TIMESCALE  # a still camera: one second at most per sample


class FragmentMuxer:
    """Turn access units into `VideoPacket` fragments (one sample per moof+mdat).

    The init segment is rebuilt when a keyframe brings new parameter sets or a new size; it
    travels with every keyframe packet so any receiver can start at any GOP. A sample's
    duration is the gap since the previous picture (the next one's time is unknown without
    holding a frame back, which would add a frame of latency); the next fragment's tfdt
    carries the true time, so a jittery camera yields tiny gaps or overlaps, never drift.
    """

    def __init__(self, camera_id: str, width: int, fps: float) -> None:
        self.camera_id = camera_id
        self.width = width
        self._sequence = 0
        self._init = b""
        self._params: tuple[bytes, bytes, int, int] | None = None
        self._last_time: int | None = None
        self._duration = round(boxes.TIMESCALE / fps) if fps > 0 else boxes.TIMESCALE // 30

    @property
    def init(self) -> bytes:
        """Return the current init segment (empty before the first keyframe)."""
        return self._init

    def mux(
        self,
        unit: AccessUnit,
        seq: int,
        captured_at: float,
        decode_time: int,
        size: tuple[int, int],
    ) -> VideoPacket | None:
        """Return the packet of one access unit; None before the first keyframe."""
        width, height = size
        if unit.keyframe:
            params = h264.parameter_sets(unit.units)
            if params is not None and (*params, width, height) != self._params:
                self._params = (*params, width, height)
                self._init = boxes.init_segment(width, height, h264.avcc_record(*params))
        if not self._init:
            return None  # a decoder cannot start here
        if self._last_time is not None:
            gap = decode_time - self._last_time
            self._duration = min(_MAX_DURATION, max(_MIN_DURATION, gap))
        self._last_time = decode_time
        self._sequence += 1
        fragment, offset = boxes.fragment(
            self._sequence,
            decode_time,
            self._duration,
            h264.to_sample(unit.units),
            unit.keyframe,
            captured_at,
        )
        return VideoPacket(
            self.camera_id,
            self.width,
            seq,
            captured_at,
            unit.keyframe,
            decode_time,
            fragment,
            offset,
            self._init if unit.keyframe else b"",
        )
