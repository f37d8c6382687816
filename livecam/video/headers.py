"""Keyframes that carry their own SPS and PPS, whatever the encoder does with its headers.

libx264 (as livecam sets it up) writes the parameter sets in front of every keyframe. Other
FFmpeg encoders do not all do so: some put them once in the codec's extradata, some only in
front of the first keyframe (upstream FFmpeg's h264_v4l2m2m on a Raspberry Pi), and some
hand them over as a packet of their own before the first picture. The muxer builds the
init segment from a keyframe's parameter sets, and a recorder or a late joiner starts at
any keyframe, so every keyframe must bring them.
"""

from __future__ import annotations

from livecam.video import h264

_VCL = range(1, 6)
"""NAL types of coded slices: a packet without one holds no picture."""
_HEADER_TYPES = (h264.NAL_SPS, h264.NAL_PPS)


def extradata_units(extradata: bytes) -> list[bytes]:
    """Return the SPS and PPS in an encoder's extradata (Annex B or an avcC record)."""
    if extradata[:1] == b"\x01":  # avcC: AVCDecoderConfigurationRecord
        return h264.avcc_units(extradata)
    return [u for u in h264.split_annexb(extradata) if h264.nal_type(u) in _HEADER_TYPES]


class InBandHeaders:
    """Remember an encoder's newest SPS and PPS and put them in front of keyframes lacking them."""

    def __init__(self, extradata: bytes = b"") -> None:
        self._sets: list[bytes] = extradata_units(extradata) if extradata else []

    def complete(self, units: list[bytes]) -> list[bytes] | None:
        """Return the access unit, with the parameter sets ahead of an IDR slice that had none.

        None for a packet with no picture in it (parameter sets alone, kept for the next
        keyframe): it is not a frame and must not become one.
        """
        headers = [u for u in units if h264.nal_type(u) in _HEADER_TYPES]
        if h264.parameter_sets(headers) is not None:
            self._sets = headers  # a new size or new settings bring new ones
        if not any(h264.nal_type(u) in _VCL for u in units):
            return None
        if not h264.is_keyframe(units) or headers or not self._sets:
            return units
        # An access unit delimiter, when there is one, must stay first (H.264 7.4.1.2.3).
        lead = 1 if h264.nal_type(units[0]) == h264.NAL_AUD else 0
        return [*units[:lead], *self._sets, *units[lead:]]
