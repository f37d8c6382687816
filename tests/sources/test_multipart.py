"""The bounded multipart reader behind the relay source."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecam.sources.base import SourceError
from livecam.sources.jpeg import jpeg_size
from livecam.sources.multipart import MAX_PART, MultipartReader, boundary_from_content_type
from tests.support.mjpeg_server import make_jpegs

JPEGS = make_jpegs(3)


def stream(parts: list[bytes], with_length: bool = True, newline: bytes = b"\r\n") -> bytes:
    out = b""
    for body in parts:
        out += b"--b" + newline + b"Content-Type: image/jpeg" + newline
        if with_length:
            out += b"Content-Length: %d" % len(body) + newline
        out += newline + body + newline
    if not with_length:
        out += b"--b" + newline  # without lengths a part ends only when the next one begins
    return out


def chunked_reader(data: bytes, cuts: list[int]):
    pieces, last = [], 0
    for cut in sorted({c % (len(data) + 1) for c in cuts}):
        pieces.append(data[last:cut])
        last = cut
    pieces.append(data[last:])
    pieces = [p for p in pieces if p]

    def read(size: int) -> bytes:
        return pieces.pop(0) if pieces else b""

    return read


@pytest.mark.parametrize("with_length", [True, False])
@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_parts_come_back_byte_identical(with_length: bool, newline: bytes):
    data = stream(JPEGS, with_length, newline)
    reader = MultipartReader(io.BytesIO(data).read, b"b")
    assert [reader.next_part() for _ in JPEGS] == JPEGS
    with pytest.raises(SourceError, match="ended"):
        reader.next_part()


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=30), st.booleans())
def test_any_segmentation_gives_the_same_parts(cuts: list[int], with_length: bool):
    data = stream(JPEGS, with_length)
    reader = MultipartReader(chunked_reader(data, cuts), b"b")
    assert [reader.next_part() for _ in JPEGS] == JPEGS


@given(st.binary(max_size=3000))
def test_garbage_raises_only_source_errors_and_yields_no_false_jpegs(data: bytes):
    reader = MultipartReader(io.BytesIO(data).read, b"b")
    try:
        for _ in range(5):
            part = reader.next_part()
            assert isinstance(part, bytes)
            size = jpeg_size(part)
            assert size is None or part[:2] == b"\xff\xd8"
    except SourceError:
        pass


def test_bounds_are_enforced():
    long_line = b"--b\r\n" + b"X" * 20_000 + b"\r\n"
    with pytest.raises(SourceError, match="header line"):
        MultipartReader(io.BytesIO(long_line).read, b"b").next_part()
    many = b"--b\r\n" + b"X-A: 1\r\n" * 40 + b"\r\n"
    with pytest.raises(SourceError, match="too many"):
        MultipartReader(io.BytesIO(many).read, b"b").next_part()
    huge = b"--b\r\nContent-Length: %d\r\n\r\n" % (MAX_PART + 1)
    with pytest.raises(SourceError, match="bytes"):
        MultipartReader(io.BytesIO(huge).read, b"b").next_part()
    lying = b"--b\r\nContent-Length: nope\r\n\r\n"
    with pytest.raises(SourceError, match="Content-Length"):
        MultipartReader(io.BytesIO(lying).read, b"b").next_part()


@pytest.mark.parametrize(
    ("header", "boundary"),
    [
        ("multipart/x-mixed-replace; boundary=frame", b"frame"),
        ('multipart/x-mixed-replace;boundary="--boundarydonotcross"', b"boundarydonotcross"),
    ],
)
def test_boundary_from_content_type(header: str, boundary: bytes):
    assert boundary_from_content_type(header) == boundary


@pytest.mark.parametrize("header", ["image/jpeg", "multipart/x-mixed-replace", ""])
def test_non_mjpeg_content_types_are_refused(header: str):
    with pytest.raises(SourceError):
        boundary_from_content_type(header)


def test_jpeg_size_reads_the_sof_header():
    assert jpeg_size(JPEGS[0]) == (160, 120)
    assert jpeg_size(JPEGS[0][:-10]) is None
    assert jpeg_size(b"\xff\xd8\xff\xd9") is None
