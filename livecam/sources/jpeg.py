"""Cheap JPEG checks without decoding: whole-image markers and the size from the SOF header."""

from __future__ import annotations

# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
# Bytes that may trail a JPEG in transport: CR/LF before a multipart boundary, and the zero
# padding some UVC cameras leave at the end of their buffers.
_TRAILER = b"\r\n\x00"


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) of a whole JPEG (SOI first, EOI last), or None when it is not one."""
    if len(data) < 4 or data[:2] != b"\xff\xd8" or data[-2:] != b"\xff\xd9":
        return None
    pos, end = 2, len(data) - 2
    # Walk the marker segments up to the frame header; the entropy-coded data after it is not
    # checked (that would mean decoding), but a torn header or a missing end is caught.
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > end:
            return None
        if marker in _SOF:
            if length < 8:
                return None
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return (width, height) if width and height else None
        if marker in (0xDA, 0xD9):  # scan or end before any frame header: not an image
            return None
        pos += 2 + length
    return None


def checked_jpeg(data: bytes) -> tuple[bytes, int, int] | None:
    """Return (jpeg, width, height) with transport padding removed, or None if it is corrupt."""
    if data[-1:] in (b"\r", b"\n", b"\x00"):
        data = data.rstrip(_TRAILER)
    size = jpeg_size(data)
    return None if size is None else (data, size[0], size[1])
