"""What crosses Redis: a binary frame envelope and small JSON messages; never pickle.

Every message from Redis is untrusted input: anything malformed raises
``MalformedMessageError``, and the receiver logs and drops it.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

from livecam.bus.base import ControlMessage
from livecam.bus.redis_keys import CAMERA_ID
from livecam.frames import CameraStatus, Frame

MAGIC = b"LCF\x01"
"""Envelope magic and version: a message that does not start with it is not ours."""

# magic, camera id length, seq, captured_at, width, height, JPEG length (network order)
_HEADER = struct.Struct("!4sHQdHHI")
MAX_JSON_BYTES = 8192


class MalformedMessageError(ValueError):
    """A message from the bus that is not what livecam sends."""


def encode_frame(frame: Frame) -> bytes:
    """Return the envelope of a frame: a fixed header, the camera id and the JPEG as is."""
    camera_id = frame.camera_id.encode("ascii")
    header = _HEADER.pack(
        MAGIC,
        len(camera_id),
        frame.seq,
        frame.captured_at,
        frame.width,
        frame.height,
        len(frame.jpeg),
    )
    return b"".join((header, camera_id, frame.jpeg))


def decode_frame(data: bytes, max_bytes: int) -> Frame:
    """Return the frame in an envelope (its part built once); raise MalformedMessageError."""
    if len(data) < _HEADER.size or len(data) > _HEADER.size + 64 + max_bytes:
        raise MalformedMessageError(f"frame envelope of {len(data)} bytes")
    magic, id_len, seq, captured_at, width, height, jpeg_len = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise MalformedMessageError("not a livecam frame envelope")
    if id_len > 64 or len(data) != _HEADER.size + id_len + jpeg_len:
        raise MalformedMessageError("frame envelope lengths do not add up")
    start = _HEADER.size + id_len
    try:
        camera_id = data[_HEADER.size : start].decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedMessageError("camera id is not ASCII") from exc
    if not CAMERA_ID.fullmatch(camera_id):
        raise MalformedMessageError("bad camera id in frame envelope")
    jpeg = data[start:]
    if jpeg[:2] != b"\xff\xd8" or jpeg[-2:] != b"\xff\xd9":
        raise MalformedMessageError("frame is not a whole JPEG")
    if not math.isfinite(captured_at) or not (width and height):
        raise MalformedMessageError("bad frame metadata")
    return Frame.create(camera_id, seq, jpeg, width, height, captured_at)


def encode_status(status: CameraStatus) -> bytes:
    """Return a status as compact JSON."""
    return _dumps(status.to_dict())


def decode_status(data: bytes) -> CameraStatus:
    """Return the status in a JSON message; raise MalformedMessageError."""
    try:
        status = CameraStatus.from_dict(_loads(data))
    except (TypeError, ValueError) as exc:
        raise MalformedMessageError(f"bad status: {exc}") from exc
    if not CAMERA_ID.fullmatch(status.camera_id):
        raise MalformedMessageError("bad camera id in status")
    return status


def encode_control(message: ControlMessage) -> bytes:
    """Return a control message as compact JSON."""
    return _dumps(message.to_dict())


def decode_control(data: bytes) -> ControlMessage:
    """Return the control message in a JSON message; raise MalformedMessageError."""
    try:
        message = ControlMessage.from_dict(_loads(data))
    except (TypeError, ValueError) as exc:
        raise MalformedMessageError(f"bad control message: {exc}") from exc
    if message.camera_id and not CAMERA_ID.fullmatch(message.camera_id):
        raise MalformedMessageError("bad camera id in control message")
    return message


def decode_camera_id(data: bytes) -> str:
    """Return the camera id of a demand hint; raise MalformedMessageError."""
    try:
        camera_id = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedMessageError("camera id is not ASCII") from exc
    if not CAMERA_ID.fullmatch(camera_id):
        raise MalformedMessageError("bad camera id")
    return camera_id


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), allow_nan=False).encode()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _loads(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_JSON_BYTES:
        raise MalformedMessageError(f"message of {len(data)} bytes")
    try:
        value = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[…" nested too deep
        raise MalformedMessageError("not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedMessageError("not a JSON object")
    return value
