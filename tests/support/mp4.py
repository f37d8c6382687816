"""Read livecam's fragmented MP4 (stream.mp4) as it arrives: boxes, fragments, decoding."""

from __future__ import annotations

import dataclasses
import io
import struct
from collections.abc import Iterator

import av
import av.logging
import httpx

from tests.support.server import LivecamServer

NTP_OFFSET = 2_208_988_800


@dataclasses.dataclass
class Fragment:
    """One prft+moof+mdat as received, with what the tests check."""

    sequence: int
    decode_time: int
    duration: int
    keyframe: bool
    wall: float
    data: bytes


def boxes(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """Yield (type, whole box) of the top-level boxes of a byte stream as it arrives."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= 8:
            size, kind = struct.unpack_from(">I4s", buffer)
            assert size >= 8, f"bad box size {size}"
            if len(buffer) < size:
                break
            yield bytes(kind), bytes(buffer[:size])
            del buffer[:size]


def children(data: bytes, start: int = 8) -> dict[bytes, bytes]:
    """Return the child boxes of a container box by type (the first of each type)."""
    found: dict[bytes, bytes] = {}
    offset = start
    while offset + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        found.setdefault(bytes(kind), data[offset : offset + size])
        offset += size
    return found


def parse_fragment(prft: bytes, moof: bytes, mdat: bytes) -> Fragment:
    """Return the fragment made of these three boxes."""
    seconds, fraction = struct.unpack_from(">II", prft, 16)
    traf = children(children(moof)[b"traf"])
    (sequence,) = struct.unpack_from(">I", children(moof)[b"mfhd"], 12)
    (decode_time,) = struct.unpack_from(">Q", traf[b"tfdt"], 12)
    count, _offset, duration, _size, flags = struct.unpack_from(">IiIII", traf[b"trun"], 12)
    assert count == 1
    return Fragment(
        sequence,
        decode_time,
        duration,
        flags == 0x02000000,
        seconds - NTP_OFFSET + fraction / 2**32,
        prft + moof + mdat,
    )


class Mp4Stream:
    """One stream.mp4 response read box by box: init segments and fragments in order."""

    def __init__(self, server: LivecamServer, path: str, **client: object) -> None:
        self.client = httpx.Client(
            base_url=server.base_url, headers=server.auth_headers(), timeout=10, **client
        )
        self.response = self.client.send(self.client.build_request("GET", path), stream=True)
        self.items: list[tuple[str, bytes | Fragment]] = []
        self.data = bytearray()
        self._boxes = boxes(self.response.iter_raw())
        self._pending: list[bytes] = []

    def next(self) -> tuple[str, bytes | Fragment]:
        """Return the next item: ("init", ftyp+moov) or ("fragment", Fragment)."""
        while True:
            kind, data = next(self._boxes)
            self.data += data
            if kind == b"ftyp":
                _kind, moov = next(self._boxes)
                assert _kind == b"moov", _kind
                self.data += moov
                item: tuple[str, bytes | Fragment] = ("init", data + moov)
            elif kind == b"prft":
                moof_kind, moof = next(self._boxes)
                mdat_kind, mdat = next(self._boxes)
                assert (moof_kind, mdat_kind) == (b"moof", b"mdat")
                self.data += moof + mdat
                item = ("fragment", parse_fragment(data, moof, mdat))
            else:
                raise AssertionError(f"unexpected top-level box {kind!r}")
            self.items.append(item)
            return item

    def fragments(self, count: int) -> list[Fragment]:
        """Read until `count` more fragments arrived; return them."""
        found: list[Fragment] = []
        while len(found) < count:
            kind, item = self.next()
            if kind == "fragment":
                assert isinstance(item, Fragment)
                found.append(item)
        return found

    def close(self) -> None:
        """Close the response and its client."""
        self.response.close()
        self.client.close()

    def __enter__(self) -> Mp4Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def decode(data: bytes) -> tuple[list[av.VideoFrame], list[str]]:
    """Decode a stream's bytes with PyAV; return the pictures and FFmpeg's error messages."""
    frames: list[av.VideoFrame] = []
    av.logging.set_level(av.logging.WARNING)  # PyAV passes nothing on unless asked
    with av.logging.Capture() as logs, av.open(io.BytesIO(data), format="mp4") as container:
        frames.extend(container.decode(video=0))
    errors = [message for level, _name, message in logs if level <= av.logging.ERROR]
    return frames, errors


def dechunk(raw: bytes) -> bytes:
    """Return the body of a raw HTTP/1.1 chunked response, up to its last whole chunk."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head.lower(), head
    body = bytearray()
    while True:
        line_end = rest.find(b"\r\n")
        if line_end < 0:
            break
        size = int(rest[:line_end], 16)
        if size == 0 or len(rest) < line_end + 2 + size + 2:
            break
        body += rest[line_end + 2 : line_end + 2 + size]
        rest = rest[line_end + 2 + size + 2 :]
    return bytes(body)


def whole_items(body: bytes) -> list[tuple[str, bytes | Fragment]]:
    """Return the init segments and fragments of a stream's bytes (a cut-off tail ignored)."""
    found = list(boxes(iter([body])))
    items: list[tuple[str, bytes | Fragment]] = []
    index = 0
    while index < len(found):
        kind, data = found[index]
        if kind == b"ftyp" and index + 1 < len(found):
            items.append(("init", data + found[index + 1][1]))
            index += 2
        elif kind == b"prft" and index + 2 < len(found):
            items.append(
                ("fragment", parse_fragment(data, found[index + 1][1], found[index + 2][1]))
            )
            index += 3
        else:
            break
    return items
