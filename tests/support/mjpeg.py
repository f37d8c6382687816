"""A strict reader of our MJPEG streams for tests: every part's headers and JPEG checked."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator


@dataclasses.dataclass
class Part:
    """One multipart part as received."""

    headers: dict[str, str]
    body: bytes

    @property
    def timestamp(self) -> float:
        """Return the X-Timestamp header."""
        return float(self.headers["x-timestamp"])


class StreamReader:
    """Parse ``multipart/x-mixed-replace; boundary=frame`` from an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._started = False

    def _fill(self) -> None:
        chunk = next(self._chunks)
        self._buffer += chunk

    def _read_line(self) -> bytes:
        while b"\r\n" not in self._buffer:
            self._fill()
        line, _, self._buffer = self._buffer.partition(b"\r\n")
        return line

    def _read_exact(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def next_part(self) -> Part:
        """Return the next part; assert the framing is exactly right."""
        if not self._started:
            assert self._read_line() == b"--frame"
            self._started = True
        headers: dict[str, str] = {}
        while True:
            line = self._read_line()
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        assert headers["content-type"] == "image/jpeg"
        body = self._read_exact(int(headers["content-length"]))
        assert body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9", "not a whole JPEG"
        # The boundary follows each JPEG at once (Chrome shows a part only after it).
        assert self._read_exact(2) == b"\r\n"
        assert self._read_line() == b"--frame"
        return Part(headers, body)

    def parts(self, count: int) -> list[Part]:
        """Return the next `count` parts."""
        return [self.next_part() for _ in range(count)]
