"""The video packet: one muxed fragment of one camera's H.264 stream, as it crosses the bus."""

from __future__ import annotations

import dataclasses

from livecam.video import h264


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class VideoPacket:
    """One picture of a camera's H.264 stream at one width, muxed once for every viewer.

    ``fragment`` is prft+moof+mdat and is sent to viewers as it is; ``init`` (ftyp+moov) is
    set on keyframes only (a new GOP may start a new init segment: size changed, encoder
    re-created), empty otherwise. ``width`` is the variant asked for (0: full size).
    """

    camera_id: str
    width: int
    seq: int
    captured_at: float
    keyframe: bool
    decode_time: int
    """Media time of the picture in 90 kHz ticks on the camera's timeline (tfdt)."""
    fragment: bytes
    sample_offset: int
    """Where the H.264 sample (length-prefixed NAL units) starts in ``fragment``."""
    init: bytes = b""

    @property
    def sample(self) -> bytes:
        """Return the picture's H.264 sample as stored in the MP4 (length-prefixed NALs)."""
        return self.fragment[self.sample_offset :]

    def access_unit(self) -> bytes:
        """Return the picture as an Annex B access unit (what FFmpeg-based recorders take)."""
        return h264.to_annexb(self.sample)
