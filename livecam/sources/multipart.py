"""A bounded reader of multipart/x-mixed-replace streams (another MJPEG server's output).

Pure and socket-free: it is fed by a ``read(n)`` callable, so tests can feed it any bytes cut
at any points. Every size is bounded; a violation or the end of the stream is a SourceError.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from livecam.sources.base import SourceError
from livecam.sources.jpeg import checked_jpeg

MAX_HEADER_LINE = 8 * 1024
MAX_HEADERS = 32
MAX_PART = 10 * 1024 * 1024
MAX_BAD_IN_A_ROW = 50
_CHUNK = 64 * 1024
_DELIMITER_TAIL = 64  # room after the boundary for "--", blanks and the line break
_DIGITS = re.compile(rb"[0-9]{1,9}")


def boundary_from_content_type(content_type: str) -> bytes:
    """Return the boundary of a multipart Content-Type, or raise SourceError."""
    kind, _, params = content_type.partition(";")
    if not kind.strip().lower().startswith("multipart/"):
        raise SourceError(f"not an MJPEG stream (Content-Type {kind.strip()[:40] or 'missing'})")
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary":
            # Servers differ on whether the declared boundary carries the leading "--" of its
            # delimiter lines (mjpg-streamer does): delimiters are matched without it.
            value = value.strip().strip('"').lstrip("-")
            if value and len(value) <= 200 and value.isascii():
                return value.encode("ascii")
    raise SourceError("the MJPEG stream names no boundary")


class MultipartReader:
    """Return the body of each part in turn, not yet checked to be a JPEG.

    ``read(n)`` returns up to n bytes and b"" at the end of the stream (like ``read1``).
    A delimiter is a line of any number of dashes, the boundary and optionally "--" (the last
    one); lines may end in CRLF or LF. Parts with a Content-Length are read exactly, parts
    without one end at the next delimiter.
    """

    def __init__(self, read: Callable[[int], bytes], boundary: bytes) -> None:
        self._read = read
        self._boundary = boundary.lstrip(b"-")
        if not self._boundary:
            raise SourceError("the MJPEG stream names no boundary")
        self._buffer = bytearray()

    def _fill(self) -> None:
        chunk = self._read(_CHUNK)
        if not chunk:
            raise SourceError("the MJPEG stream ended")
        self._buffer += chunk

    def next_part(self) -> bytes:
        """Return the next part's body; b"" for a part whose headers were malformed."""
        start, end, last = self._find_delimiter(MAX_PART)  # skips a preamble or a lying body
        if last:
            raise SourceError("the MJPEG stream ended")
        del self._buffer[:end]
        length, malformed = self._headers()
        if malformed:
            return b""
        if length is None:
            start, _, _ = self._find_delimiter(MAX_PART)
            body = self._take(start)
            # The line break before a delimiter belongs to the delimiter (RFC 2046).
            return body[:-2] if body.endswith(b"\r\n") else body.removesuffix(b"\n")
        while len(self._buffer) < length:
            self._fill()
        return self._take(length)

    def _take(self, size: int) -> bytes:
        body = bytes(self._buffer[:size])
        del self._buffer[:size]
        return body

    def _find_delimiter(self, limit: int) -> tuple[int, int, bool]:
        """Return (line start, line end, is last) of the next delimiter line in the buffer."""
        boundary, buffer = self._boundary, self._buffer
        pos = 0
        while True:
            found = buffer.find(boundary, pos)
            if found < 0:
                if len(buffer) > limit + MAX_HEADER_LINE:
                    raise SourceError("the MJPEG stream sent an over-long part")
                # Keep the tail: a delimiter may straddle the next chunk.
                pos = max(0, len(buffer) - len(boundary))
                self._fill()
                continue
            start = found
            while start > 0 and buffer[start - 1] == 0x2D:  # the dashes before the boundary
                start -= 1
            # Only at the start of a line (or of the buffer, right after a counted body).
            if start == 0 or buffer[start - 1] == 0x0A:
                after = found + len(boundary)
                newline = buffer.find(b"\n", after, after + _DELIMITER_TAIL)
                if newline >= 0:
                    rest = bytes(buffer[after:newline]).rstrip(b" \t\r")
                    if rest in (b"", b"--"):
                        return start, newline + 1, rest == b"--"
                elif len(buffer) < after + _DELIMITER_TAIL:
                    pos = found
                    self._fill()  # the rest of this line decides whether it is a delimiter
                    continue
            pos = found + 1

    def _line(self) -> bytes:
        while True:
            end = self._buffer.find(b"\n", 0, MAX_HEADER_LINE + 2)
            if end >= 0:
                line = bytes(self._buffer[:end]).rstrip(b"\r")
                del self._buffer[: end + 1]
                return line
            if len(self._buffer) > MAX_HEADER_LINE:
                raise SourceError("the MJPEG stream sent an over-long header line")
            self._fill()

    def _headers(self) -> tuple[int | None, bool]:
        """Return (Content-Length or None, malformed?) after reading a part's header lines."""
        length: int | None = None
        malformed = False
        for _ in range(MAX_HEADERS + 1):
            line = self._line()
            if not line:
                return length, malformed
            name, sep, value = line.partition(b":")
            if not sep:
                malformed = True  # the part is dropped; the stream goes on at the next one
            elif name.strip().lower() == b"content-length":
                if not _DIGITS.fullmatch(value.strip()):
                    malformed = True
                    continue
                length = int(value.strip())
                if length > MAX_PART:
                    raise SourceError(f"the MJPEG stream sent a part of {length} bytes")
        raise SourceError("the MJPEG stream sent too many part headers")


class JpegParts:
    """Return only whole JPEGs from a multipart stream; corrupt parts are dropped and counted."""

    def __init__(self, reader: MultipartReader, max_bad_in_a_row: int = MAX_BAD_IN_A_ROW) -> None:
        self.reader = reader
        self.dropped = 0
        """Parts dropped so far because they were not whole JPEGs."""
        self._max_bad = max_bad_in_a_row

    def next_jpeg(self) -> tuple[bytes, int, int]:
        """Return (jpeg, width, height) of the next valid part."""
        for _ in range(self._max_bad):
            checked = checked_jpeg(self.reader.next_part())
            if checked is not None:
                return checked
            self.dropped += 1
        raise SourceError(f"the MJPEG stream sent {self._max_bad} corrupt parts in a row")
