"""A small ISO-BMFF (MP4) box writer for the fragmented MP4 of the live view.

Hand-written rather than PyAV's mp4 muxer because the stream is muxed once in capture and
fanned out as shared bytes: each fragment must be a self-contained ``moof+mdat`` whose
``tfdt`` runs on the camera's own timeline (not from 0 per muxer), whose bytes are the same
in every web process, and which carries a ``prft`` (capture wall clock) box. FFmpeg's muxer
writes per-output state into every fragment and cannot be asked for one fragment at a time
without a file-like sink per stream; the boxes needed are few and fixed.
"""

from __future__ import annotations

import struct

TIMESCALE = 90_000
"""Media ticks per second (the usual video clock)."""

TRACK_ID = 1
_NTP_OFFSET = 2_208_988_800  # seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix)
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
KEY_FLAGS = 0x02000000
"""trun sample flags of a sync sample (depends on no other)."""
DELTA_FLAGS = 0x01010000
"""trun sample flags of a non-sync sample (depends on others)."""


def box(kind: bytes, *payload: bytes) -> bytes:
    """Return one box: 32-bit size, four-character type, payload."""
    body = b"".join(payload)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    """Return a full box (version and 24-bit flags before the payload)."""
    return box(kind, struct.pack(">I", (version << 24) | flags), *payload)


def init_segment(width: int, height: int, avcc: bytes) -> bytes:
    """Return ftyp+moov of a one-track H.264 stream (``avcc``: the avcC payload)."""
    ftyp = box(b"ftyp", b"iso5", struct.pack(">I", 512), b"iso5iso6avc1mp41")
    mvhd = full_box(
        b"mvhd", 0, 0, struct.pack(">IIIIIH10x", 0, 0, 1000, 0, 0x10000, 0x0100),
        _MATRIX, bytes(24), struct.pack(">I", TRACK_ID + 1),
    )  # fmt: skip
    tkhd = full_box(
        b"tkhd", 0, 3, struct.pack(">IIIII8xhhH2x", 0, 0, TRACK_ID, 0, 0, 0, 0, 0),
        _MATRIX, struct.pack(">II", width << 16, height << 16),
    )  # fmt: skip
    mdhd = full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, 0, 0x55C4, 0))
    hdlr = full_box(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, b"vide"), b"livecam\x00")
    avc1 = box(
        b"avc1", bytes(6), struct.pack(">H16xHHIIIH", 1, width, height, 0x480000, 0x480000, 0, 1),
        bytes(32), struct.pack(">Hh", 0x18, -1), box(b"avcC", avcc),
    )  # fmt: skip
    stbl = box(
        b"stbl",
        full_box(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
        full_box(b"stts", 0, 0, struct.pack(">I", 0)),
        full_box(b"stsc", 0, 0, struct.pack(">I", 0)),
        full_box(b"stsz", 0, 0, struct.pack(">II", 0, 0)),
        full_box(b"stco", 0, 0, struct.pack(">I", 0)),
    )
    dinf = box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1)))
    minf = box(b"minf", full_box(b"vmhd", 0, 1, bytes(8)), dinf, stbl)
    trak = box(b"trak", tkhd, box(b"mdia", mdhd, hdlr, minf))
    trex = full_box(b"trex", 0, 0, struct.pack(">IIIII", TRACK_ID, 1, 0, 0, 0))
    return ftyp + box(b"moov", mvhd, trak, box(b"mvex", trex))


def fragment(
    sequence: int, decode_time: int, duration: int, sample: bytes, keyframe: bool, wall: float
) -> tuple[bytes, int]:
    """Return prft+moof+mdat holding one sample, and the offset of the sample in it.

    ``wall`` is the capture time (Unix seconds) of the sample, written to ``prft`` so a
    player can compute glass-to-glass latency; ``decode_time`` is in ``TIMESCALE`` ticks.
    """
    prft = prft_box(wall, decode_time)
    flags = KEY_FLAGS if keyframe else DELTA_FLAGS
    # trun: data offset, then one sample with duration, size and flags.
    trun_size = 12 + 4 + 4 + 12
    traf_size = 8 + 16 + 20 + trun_size  # tfhd (default-base-is-moof) + tfdt v1 + trun
    moof_size = 8 + 16 + traf_size
    trun = full_box(
        b"trun", 0, 0x000701, struct.pack(">IiIII", 1, moof_size + 8, duration, len(sample), flags)
    )
    tfhd = full_box(b"tfhd", 0, 0x020000, struct.pack(">I", TRACK_ID))
    tfdt = full_box(b"tfdt", 1, 0, struct.pack(">Q", decode_time))
    moof = box(
        b"moof",
        full_box(b"mfhd", 0, 0, struct.pack(">I", sequence)),
        box(b"traf", tfhd, tfdt, trun),
    )
    head = prft + moof + struct.pack(">I4s", 8 + len(sample), b"mdat")
    return head + sample, len(head)


def prft_box(wall: float, media_time: int) -> bytes:
    """Return a ProducerReferenceTime box: NTP wall clock of capture and its media time.

    Flags 24 say the wall clock is the capture time of the sample (ISO/IEC 14496-12:2022).
    """
    seconds = int(wall) + _NTP_OFFSET
    fraction = int((wall % 1.0) * (1 << 32)) & 0xFFFFFFFF
    return full_box(b"prft", 1, 24, struct.pack(">IIIQ", TRACK_ID, seconds, fraction, media_time))
