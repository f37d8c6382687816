"""A bounded reader of multipart/x-mixed-replace streams (another MJPEG server's output)."""

from __future__ import annotations

from collections.abc import Callable

from livecam.sources.base import SourceError

MAX_HEADER_LINE = 8 * 1024
MAX_HEADERS = 32
MAX_PART = 10 * 1024 * 1024
_CHUNK = 64 * 1024


def boundary_from_content_type(content_type: str) -> bytes:
    """Return the boundary of a multipart Content-Type, or raise SourceError."""
    kind, _, params = content_type.partition(";")
    if not kind.strip().lower().startswith("multipart/"):
        raise SourceError(f"not an MJPEG stream (Content-Type {kind.strip() or 'missing'})")
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary":
            value = value.strip().strip('"')
            # Some servers (mjpg-streamer among them) repeat the leading dashes here.
            value = value.removeprefix("--")
            if value and len(value) <= 200:
                return value.encode("latin-1")
    raise SourceError("the MJPEG stream names no boundary")


class MultipartReader:
    """Return the body of each part in turn; every size is bounded, every violation raises.

    `read(n)` returns up to n bytes and b"" at the end of the stream (like ``read1``).
    """

    def __init__(self, read: Callable[[int], bytes], boundary: bytes) -> None:
        self._read = read
        self._delimiter = b"--" + boundary
        self._buffer = bytearray()

    def _fill(self) -> None:
        chunk = self._read(_CHUNK)
        if not chunk:
            raise SourceError("the MJPEG stream ended")
        self._buffer += chunk

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

    def next_part(self) -> bytes:
        """Return the next part's body (not yet checked to be a JPEG)."""
        self._skip_to_boundary()
        length = self._headers()
        if length is not None:
            while len(self._buffer) < length:
                self._fill()
            body = bytes(self._buffer[:length])
            del self._buffer[:length]
            return body
        return self._body_until_boundary()

    def _skip_to_boundary(self) -> None:
        # Anything before the boundary line (a CRLF after the last body, a preamble) is skipped.
        skipped = 0
        while True:
            line = self._line()
            if line.startswith(self._delimiter):
                return
            skipped += len(line)
            if skipped > MAX_PART:
                raise SourceError("no multipart boundary in the MJPEG stream")

    def _headers(self) -> int | None:
        length: int | None = None
        for _ in range(MAX_HEADERS + 1):
            line = self._line()
            if not line:
                return length
            name, sep, value = line.partition(b":")
            if not sep:
                raise SourceError("the MJPEG stream sent a malformed part header")
            if name.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError:
                    raise SourceError("the MJPEG stream sent a bad Content-Length") from None
                if not 0 < length <= MAX_PART:
                    raise SourceError(f"the MJPEG stream sent a part of {length} bytes")
        raise SourceError("the MJPEG stream sent too many part headers")

    def _body_until_boundary(self) -> bytes:
        start = 0
        while True:
            found = self._buffer.find(self._delimiter, start)
            if found >= 0:
                body = bytes(self._buffer[:found]).rstrip(b"\r\n")
                del self._buffer[:found]
                return body
            if len(self._buffer) > MAX_PART:
                raise SourceError("the MJPEG stream sent an over-long part")
            start = max(0, len(self._buffer) - len(self._delimiter))
            self._fill()
