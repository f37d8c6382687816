"""H.264 bitstream helpers: Annex B NAL units, length-prefixed samples, the avcC record."""

from __future__ import annotations

import re
import struct

NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8
NAL_AUD = 9
_START = re.compile(b"\x00\x00\x01")


def split_annexb(data: bytes) -> list[bytes]:
    """Return the NAL units of an Annex B byte stream (start codes removed)."""
    units: list[bytes] = []
    starts = [m.end() for m in _START.finditer(data)]
    for index, start in enumerate(starts):
        end = starts[index + 1] - 3 if index + 1 < len(starts) else len(data)
        unit = data[start:end]
        # A four-byte start code leaves a zero before the next three-byte one.
        while unit.endswith(b"\x00") and index + 1 < len(starts):
            unit = unit[:-1]
        if unit:
            units.append(unit)
    return units


def nal_type(unit: bytes) -> int:
    """Return the type of a NAL unit (its header's low five bits)."""
    return unit[0] & 0x1F


def to_sample(units: list[bytes]) -> bytes:
    """Return an MP4 sample: each NAL unit with a four-byte length (AUDs dropped)."""
    return b"".join(
        struct.pack(">I", len(unit)) + unit for unit in units if nal_type(unit) != NAL_AUD
    )


def sample_units(sample: bytes) -> list[bytes]:
    """Return the NAL units of a length-prefixed sample; raise ValueError when malformed."""
    units, offset = [], 0
    while offset < len(sample):
        if offset + 4 > len(sample):
            raise ValueError("truncated NAL length")
        (length,) = struct.unpack_from(">I", sample, offset)
        offset += 4
        if length == 0 or offset + length > len(sample):
            raise ValueError("NAL length out of range")
        units.append(sample[offset : offset + length])
        offset += length
    return units


def to_annexb(sample: bytes) -> bytes:
    """Return a length-prefixed sample as an Annex B access unit (for recorders and FFmpeg)."""
    return b"".join(b"\x00\x00\x00\x01" + unit for unit in sample_units(sample))


def avcc_record(sps: bytes, pps: bytes) -> bytes:
    """Return the AVCDecoderConfigurationRecord (avcC payload) for one SPS and one PPS."""
    return (
        bytes((1, sps[1], sps[2], sps[3], 0xFF, 0xE1))
        + struct.pack(">H", len(sps))
        + sps
        + b"\x01"
        + struct.pack(">H", len(pps))
        + pps
    )


def avcc_units(extradata: bytes | None) -> list[bytes]:
    """Return the SPS and PPS NAL units of an avcC record (empty if it is not one)."""
    if not extradata or extradata[0] != 1 or len(extradata) < 7:
        return []
    units: list[bytes] = []
    offset = 5
    for _kind in range(2):  # SPS entries, then PPS entries
        if offset >= len(extradata):
            return []
        count = extradata[offset] & (0x1F if not units else 0xFF)
        offset += 1
        for _ in range(count):
            length = int.from_bytes(extradata[offset : offset + 2], "big")
            units.append(extradata[offset + 2 : offset + 2 + length])
            offset += 2 + length
    return units


def codec_string(sps: bytes) -> str:
    """Return the RFC 6381 codec string of an SPS (``avc1.PPCCLL``), for MSE players."""
    return f"avc1.{sps[1]:02X}{sps[2]:02X}{sps[3]:02X}"


def parameter_sets(units: list[bytes]) -> tuple[bytes, bytes] | None:
    """Return the first SPS and PPS among NAL units, None unless both are there."""
    sps = next((u for u in units if nal_type(u) == NAL_SPS), None)
    pps = next((u for u in units if nal_type(u) == NAL_PPS), None)
    return (sps, pps) if sps is not None and pps is not None else None


def is_keyframe(units: list[bytes]) -> bool:
    """Return True when the access unit holds an IDR slice."""
    return any(nal_type(u) == NAL_IDR for u in units)
