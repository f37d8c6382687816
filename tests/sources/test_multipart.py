"""The bounded multipart reader behind the relay source, and the cheap JPEG checks."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as PILImage

from livecam.sources.base import SourceError
from livecam.sources.jpeg import checked_jpeg, jpeg_size
from livecam.sources.multipart import (
    MAX_HEADERS,
    MAX_PART,
    JpegParts,
    MultipartReader,
    boundary_from_content_type,
)
from tests.support.mjpeg_server import make_jpegs

JPEGS = make_jpegs(3)


def stream(
    parts: list[bytes],
    with_length: bool = True,
    newline: bytes = b"\r\n",
    delimiter: bytes = b"--b",
) -> bytes:
    out = b""
    for body in parts:
        out += delimiter + newline + b"Content-Type: image/jpeg" + newline
        if with_length:
            out += b"Content-Length: %d" % len(body) + newline
        out += newline + body + newline
    if not with_length:
        out += delimiter + newline  # without lengths a part ends only when the next one begins
    return out


def chunked_reader(data: bytes, cuts: list[int]) -> Callable[[int], bytes]:
    """Return read(n) that hands out `data` cut at the given points (and at most n bytes)."""
    pieces, last = [], 0
    for cut in sorted({c % (len(data) + 1) for c in cuts}):
        pieces.append(data[last:cut])
        last = cut
    pieces.append(data[last:])
    pieces = [p for p in pieces if p]

    def read(size: int) -> bytes:
        if not pieces:
            return b""
        piece = pieces.pop(0)
        if len(piece) > size:
            pieces.insert(0, piece[size:])
        return piece[:size]

    return read


def reader_for(data: bytes, boundary: bytes = b"b") -> MultipartReader:
    return MultipartReader(io.BytesIO(data).read, boundary)


def jpegs_of(data: bytes, count: int, boundary: bytes = b"b") -> tuple[list[bytes], int]:
    parts = JpegParts(reader_for(data, boundary))
    return [parts.next_jpeg()[0] for _ in range(count)], parts.dropped


@pytest.mark.parametrize("with_length", [True, False])
@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_parts_come_out_whole_with_or_without_lengths(with_length: bool, newline: bytes):
    reader = reader_for(stream(JPEGS, with_length, newline))
    assert [reader.next_part() for _ in JPEGS] == JPEGS
    with pytest.raises(SourceError, match="ended"):
        reader.next_part()


@pytest.mark.parametrize(
    ("declared", "delimiter"),
    [
        (b"frame", b"--frame"),  # RFC 2046
        (b"--frame", b"--frame"),  # mjpg-streamer: the dashes in the declared boundary
        (b"--frame", b"----frame"),  # RFC 2046 with a boundary that starts with dashes
        (b"frame", b"frame"),  # no dashes at all
    ],
)
@pytest.mark.parametrize("with_length", [True, False])
def test_boundary_dashes_are_tolerated(declared: bytes, delimiter: bytes, with_length: bool):
    data = stream(JPEGS, with_length, delimiter=delimiter)
    assert jpegs_of(data, 3, declared) == (JPEGS, 0)


def test_preamble_blank_lines_and_trailing_blanks_are_skipped():
    data = b"HTTP preamble\r\n\r\n" + stream(JPEGS).replace(b"--b\r\n", b"--b \t\r\n")
    assert jpegs_of(data, 3) == (JPEGS, 0)


def test_a_body_right_against_the_next_delimiter_is_accepted():
    data = b"".join(b"--b\r\nContent-Length: %d\r\n\r\n" % len(j) + j for j in JPEGS)
    assert jpegs_of(data, 3) == (JPEGS, 0)


def test_the_closing_delimiter_ends_the_stream():
    reader = reader_for(stream(JPEGS[:1]) + b"--b--\r\n" + stream(JPEGS[1:]))
    assert reader.next_part() == JPEGS[0]
    with pytest.raises(SourceError, match="ended"):
        reader.next_part()


def test_lines_that_merely_start_with_the_boundary_are_not_delimiters():
    body = JPEGS[0][:100] + b"\n--bogus\r\n" + JPEGS[0][100:]
    data = stream([body, JPEGS[1]], with_length=False)
    reader = reader_for(data)
    assert reader.next_part() == body
    assert reader.next_part() == JPEGS[1]


@given(
    st.lists(st.integers(min_value=0, max_value=20_000), max_size=40),
    st.booleans(),
    st.sampled_from([b"\r\n", b"\n"]),
)
def test_any_segmentation_gives_the_same_parts(cuts: list[int], with_length: bool, nl: bytes):
    data = stream(JPEGS, with_length, nl)
    reader = MultipartReader(chunked_reader(data, cuts), b"b")
    assert [reader.next_part() for _ in JPEGS] == JPEGS


# -- corrupt parts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        JPEGS[0][: len(JPEGS[0]) // 2],  # truncated
        b"\xff\xd8" + b"\x00" * 300,  # starts like a JPEG, never ends
        b"not a jpeg at all",
        b"\xff\xd8\xff\xd9",  # markers only
        b"",
    ],
)
@pytest.mark.parametrize("with_length", [True, False])
def test_corrupt_parts_are_dropped_and_counted(bad: bytes, with_length: bool):
    data = stream([JPEGS[0], bad, JPEGS[1], bad, bad, JPEGS[2]], with_length)
    assert jpegs_of(data, 3) == (JPEGS, 3)


def test_a_lying_content_length_costs_frames_not_the_stream():
    too_long = b"--b\r\nContent-Length: %d\r\n\r\n" % (len(JPEGS[0]) + 50) + JPEGS[0] + b"\r\n"
    # The overshoot swallows the next delimiter, so the part after it is lost as well.
    data = stream(JPEGS[:1]) + too_long + stream(JPEGS[1:2]) + stream(JPEGS)
    assert jpegs_of(data, 4) == ([JPEGS[0], *JPEGS], 1)


@pytest.mark.parametrize(
    "headers",
    [
        b"garbage line\r\n",
        b"Content-Length: -5\r\n",
        b"Content-Length: 1_0\r\n",
        b"Content-Length: x\r\n",
    ],
)
def test_malformed_part_headers_drop_that_part_only(headers: bytes):
    bad = b"--b\r\n" + headers + b"\r\n" + JPEGS[0] + b"\r\n"
    data = stream(JPEGS[:1]) + bad + stream(JPEGS[1:])
    assert jpegs_of(data, 3) == (JPEGS, 1)


def test_too_many_corrupt_parts_in_a_row_is_an_error():
    data = stream([b"junk"] * 60)
    with pytest.raises(SourceError, match="corrupt parts in a row"):
        jpegs_of(data, 1)


@given(st.binary(max_size=3000))
def test_garbage_raises_only_source_errors_and_yields_no_false_jpegs(data: bytes):
    parts = JpegParts(reader_for(data))
    try:
        for _ in range(5):
            jpeg, width, height = parts.next_jpeg()
            assert jpeg_size(jpeg) == (width, height)
    except SourceError:
        pass


@given(
    st.lists(st.one_of(st.sampled_from(JPEGS), st.binary(max_size=400)), max_size=12), st.booleans()
)
def test_good_parts_survive_among_garbage_parts(parts: list[bytes], with_length: bool):
    good = [p for p in parts if jpeg_size(p) is not None]
    if not with_length:  # without lengths a body may not contain a delimiter line
        parts = [p for p in parts if b"\n--b" not in p and not p.startswith(b"--b")]
        good = [p for p in parts if jpeg_size(p) is not None]
    source = JpegParts(reader_for(stream(parts, with_length)))
    assert [source.next_jpeg()[0] for _ in good] == good
    with pytest.raises(SourceError):
        source.next_jpeg()


@given(st.binary(max_size=2000), st.lists(st.integers(0, 3000), max_size=10))
def test_garbage_after_a_valid_part_does_not_change_it(tail: bytes, cuts: list[int]):
    data = stream(JPEGS[:1]) + tail
    parts = JpegParts(MultipartReader(chunked_reader(data, cuts), b"b"))
    assert parts.next_jpeg()[0] == JPEGS[0]


# -- bounds ------------------------------------------------------------------------------------


def test_an_over_long_header_line_is_refused():
    with pytest.raises(SourceError, match="header line"):
        reader_for(b"--b\r\n" + b"X" * 20_000 + b"\r\n").next_part()


def test_too_many_header_lines_are_refused():
    ok = b"--b\r\n" + b"X-A: 1\r\n" * (MAX_HEADERS - 1) + b"Content-Length: 4\r\n\r\nabcd"
    assert reader_for(ok).next_part() == b"abcd"
    many = b"--b\r\n" + b"X-A: 1\r\n" * (MAX_HEADERS + 1) + b"\r\n"
    with pytest.raises(SourceError, match="too many"):
        reader_for(many).next_part()


def test_an_over_large_declared_part_is_refused():
    huge = b"--b\r\nContent-Length: %d\r\n\r\n" % (MAX_PART + 1)
    with pytest.raises(SourceError, match="bytes"):
        reader_for(huge).next_part()


def endless(head: bytes) -> Callable[[int], bytes]:
    sent = [False]

    def read(size: int) -> bytes:
        if not sent[0]:
            sent[0] = True
            return head
        return b"\xab" * size

    return read


def test_an_endless_part_without_length_is_refused():
    with pytest.raises(SourceError, match="over-long part"):
        MultipartReader(endless(b"--b\r\n\r\n\xff\xd8"), b"b").next_part()


def test_a_stream_without_any_boundary_is_refused():
    with pytest.raises(SourceError, match="over-long part"):
        MultipartReader(endless(b"\xff\xd8"), b"b").next_part()


def test_the_end_of_the_stream_is_an_error():
    for data in (b"", b"--b\r\nContent-Length: 100\r\n\r\nabc", b"--b\r\nContent-Type: im"):
        with pytest.raises(SourceError, match="ended"):
            reader_for(data).next_part()


# -- Content-Type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "boundary"),
    [
        ("multipart/x-mixed-replace; boundary=frame", b"frame"),
        ('multipart/x-mixed-replace;boundary="--boundarydonotcross"', b"boundarydonotcross"),
        ("Multipart/X-Mixed-Replace; charset=x; Boundary=--myboundary", b"myboundary"),
    ],
)
def test_boundary_from_content_type(header: str, boundary: bytes):
    assert boundary_from_content_type(header) == boundary


@pytest.mark.parametrize(
    "header",
    [
        "image/jpeg",
        "multipart/x-mixed-replace",
        "multipart/x-mixed-replace; boundary=",
        "multipart/x-mixed-replace; boundary=--",
        "multipart/x-mixed-replace; boundary=" + "x" * 300,
        "",
    ],
)
def test_non_mjpeg_content_types_are_refused(header: str):
    with pytest.raises(SourceError):
        boundary_from_content_type(header)


# -- JPEG checks -------------------------------------------------------------------------------


@pytest.mark.parametrize("progressive", [0, 1])
@pytest.mark.parametrize(("width", "height"), [(160, 120), (1, 1), (641, 479)])
def test_jpeg_size_reads_the_sof_header(width: int, height: int, progressive: int):
    image = np.random.default_rng(1).integers(0, 255, (height, width, 3), dtype=np.uint8)
    encoded = io.BytesIO()
    PILImage.fromarray(image).save(encoded, "JPEG", progressive=bool(progressive))
    assert jpeg_size(encoded.getvalue()) == (width, height)


def test_jpeg_checks_catch_torn_images():
    jpeg = JPEGS[0]
    assert jpeg_size(jpeg) == (160, 120)
    assert jpeg_size(jpeg[:-10]) is None
    assert jpeg_size(b"\xff\xd8\xff\xd9") is None
    assert jpeg_size(b"\xff\xd8" + jpeg[2:20] + b"\xff\xd9") is None  # header torn off
    assert jpeg_size(b"\x00" + jpeg) is None


def test_checked_jpeg_strips_transport_padding_only():
    jpeg = JPEGS[1]
    assert checked_jpeg(jpeg + b"\r\n") == (jpeg, 160, 120)
    assert checked_jpeg(jpeg + b"\x00" * 100) == (jpeg, 160, 120)  # UVC buffer padding
    assert checked_jpeg(jpeg + b"junk") is None
    assert checked_jpeg(b"") is None
