"""The H.264 packet envelope on Redis: a fixed header, the camera id, init and fragment bytes.

Untrusted like every bus message: lengths must add up, the fragment must be prft+moof+mdat
with the sample where the header says, the init segment (keyframes only) ftyp+moov.
Anything else raises ``MalformedMessageError``. Never pickle.
"""

from __future__ import annotations

import math
import struct

from livecam.bus.codec import MalformedMessageError
from livecam.bus.redis_keys import CAMERA_ID
from livecam.video.packet import VideoPacket

MAGIC = b"LCV\x01"
# magic, camera id length, width, seq, captured_at, decode time, keyframe, sample offset,
# init length, fragment length (network order)
_HEADER = struct.Struct("!4sHHQdQBIII")
MAX_WIDTH = 7680


def encode_video(packet: VideoPacket) -> bytes:
    """Return the envelope of a video packet."""
    camera_id = packet.camera_id.encode("ascii")
    header = _HEADER.pack(
        MAGIC,
        len(camera_id),
        packet.width,
        packet.seq,
        packet.captured_at,
        packet.decode_time,
        1 if packet.keyframe else 0,
        packet.sample_offset,
        len(packet.init),
        len(packet.fragment),
    )
    return b"".join((header, camera_id, packet.init, packet.fragment))


def decode_video(data: bytes, max_bytes: int) -> VideoPacket:
    """Return the packet in an envelope; raise MalformedMessageError."""
    if len(data) < _HEADER.size or len(data) > _HEADER.size + 64 + max_bytes:
        raise MalformedMessageError(f"video envelope of {len(data)} bytes")
    (magic, id_len, width, seq, captured_at, decode_time, key, offset, init_len, frag_len) = (
        _HEADER.unpack_from(data)
    )
    if magic != MAGIC:
        raise MalformedMessageError("not a livecam video envelope")
    if id_len > 64 or len(data) != _HEADER.size + id_len + init_len + frag_len:
        raise MalformedMessageError("video envelope lengths do not add up")
    start = _HEADER.size + id_len
    try:
        camera_id = data[_HEADER.size : start].decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedMessageError("camera id is not ASCII") from exc
    if not CAMERA_ID.fullmatch(camera_id):
        raise MalformedMessageError("bad camera id in video envelope")
    init = data[start : start + init_len]
    fragment = data[start + init_len :]
    if key not in (0, 1) or width > MAX_WIDTH or not math.isfinite(captured_at):
        raise MalformedMessageError("bad video packet metadata")
    if init and (not key or init[4:8] != b"ftyp"):
        raise MalformedMessageError("init segment on a non-keyframe, or not ftyp")
    if fragment[4:8] != b"prft" or not 0 < offset <= len(fragment) - 4:
        raise MalformedMessageError("fragment is not prft+moof+mdat")
    if fragment[offset - 4 : offset] != b"mdat":
        raise MalformedMessageError("sample offset does not follow the mdat header")
    return VideoPacket(
        camera_id, width, seq, captured_at, bool(key), decode_time, fragment, offset, init
    )
