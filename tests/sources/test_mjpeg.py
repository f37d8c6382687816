"""The MJPEG relay against a real upstream server with injected faults."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from livecam.sources import parse_source
from livecam.sources.base import CaptureOptions, SourceError
from livecam.sources.mjpeg import MjpegSource
from tests.support.mjpeg_server import GARBAGE_KINDS, MjpegTestServer, make_jpegs
from tests.support.server import free_port
from tests.support.sources import close_during_read, read_until_error

FRAMES = make_jpegs(4)


def relay(url: str, timeout: float = 2.0) -> MjpegSource:
    return MjpegSource(parse_source(f"mjpeg+{url}"), CaptureOptions(), timeout=timeout)


@pytest.mark.parametrize(
    ("content_length", "newline", "boundary"),
    [
        (True, b"\r\n", "--myboundary"),
        (False, b"\r\n", "--myboundary"),
        (True, b"\n", "frame"),
        (False, b"\n", "frame"),
    ],
)
def test_jpegs_pass_through_byte_identical(content_length: bool, newline: bytes, boundary: str):
    upstream = MjpegTestServer(
        FRAMES, fps=100, content_length=content_length, newline=newline, boundary=boundary
    )
    source = relay(upstream.url)
    with upstream, source:
        received = [source.read() for _ in range(8)]
    assert [f.jpeg for f in received] == FRAMES + FRAMES
    assert all(f.image is None and (f.width, f.height) == (160, 120) for f in received)
    assert source.passes_jpeg and source.dropped == 0


@pytest.mark.parametrize("kind", GARBAGE_KINDS)
def test_corrupt_parts_are_dropped_and_counted(kind: str):
    with MjpegTestServer(FRAMES, fps=100) as upstream:
        source = relay(upstream.url)
        source.open()
        source.read()
        upstream.send_garbage(kind, count=3)
        received = [source.read() for _ in range(6)]
        assert upstream.garbage_sent == 3
        source.close()
    assert all(f.jpeg in FRAMES for f in received)
    assert source.dropped >= 1 if kind == "bad_length" else source.dropped == 3


def test_every_other_part_corrupt_still_relays_the_good_ones():
    with MjpegTestServer(FRAMES, fps=100, content_length=False) as upstream:
        upstream.mode = "garbage"
        source = relay(upstream.url)
        with source:
            received = [source.read() for _ in range(5)]
    assert all(f.jpeg in FRAMES for f in received)
    assert source.dropped >= 4


def test_a_stalled_upstream_is_an_error_within_the_timeout():
    with MjpegTestServer(FRAMES, fps=50) as upstream:
        source = relay(upstream.url, timeout=0.5)
        with source:
            source.read()
            upstream.stall()
            started = time.monotonic()
            error = read_until_error(source)
            assert time.monotonic() - started < 1.5
    assert "timed out" in str(error)


def test_an_upstream_that_trickles_but_never_completes_a_frame_is_stalled():
    # A byte every 50 ms: each socket read succeeds well within the timeout, but no frame
    # ever completes, which only the per-frame deadline catches.
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def trickle() -> None:
        client, _ = listener.accept()
        with client:
            client.recv(4096)
            client.sendall(
                b"HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=b\r\n\r\n"
                b"--b\r\n\r\n\xff\xd8"
            )
            while not done.wait(0.05):
                client.sendall(b"\x00")

    thread = threading.Thread(target=trickle)
    thread.start()
    source = relay(f"http://127.0.0.1:{listener.getsockname()[1]}/", timeout=0.5)
    try:
        with source:
            started = time.monotonic()
            error = read_until_error(source)
            assert time.monotonic() - started < 1.5
    finally:
        done.set()
        thread.join(2)
        listener.close()
    assert "stalled" in str(error)


@pytest.mark.parametrize("fault", ["stop", "drop_connections"])
def test_the_upstream_going_away_is_an_error_and_it_can_come_back(fault: str):
    with MjpegTestServer(FRAMES, fps=50) as upstream:
        source = relay(upstream.url)
        with source:
            source.read()
            getattr(upstream, fault)()
            started = time.monotonic()
            error = read_until_error(source)
            assert time.monotonic() - started < 1
        assert "stopped" in str(error) or "ended" in str(error)
        upstream.start()  # the same port again
        with source:
            assert source.read().jpeg in FRAMES
        assert upstream.connections == 2


def test_the_end_of_the_upstream_stream_is_an_error():
    with MjpegTestServer(FRAMES, fps=100, count=3) as upstream:
        source = relay(upstream.url)
        source.open()
        assert [source.read().jpeg for _ in range(3)] == FRAMES[:3]
        error = read_until_error(source)
        source.close()
    assert "ended" in str(error)


def test_close_from_another_thread_ends_a_blocked_read_at_once():
    with MjpegTestServer(FRAMES, fps=50) as upstream:
        source = relay(upstream.url, timeout=10)
        source.open()
        source.read()
        upstream.stall()
        message, seconds = close_during_read(source)
        assert seconds < 1
        assert "closed" in message


def test_credentials_are_sent_as_basic_auth_and_never_shown():
    with MjpegTestServer(FRAMES, credentials=("cam", "s3cret")) as upstream:
        good = relay(f"http://cam:s3cret@127.0.0.1:{upstream.port}/stream")
        with good:
            assert good.read().jpeg in FRAMES
        assert upstream.requests[0].startswith(b"GET /stream HTTP/1.1\r\n")
        assert b"s3cret" not in upstream.requests[0].split(b"\r\n")[0]
        bad = relay(f"http://cam:b4dpass@127.0.0.1:{upstream.port}/stream")
        with pytest.raises(SourceError) as failure:
            bad.open()
    message = str(failure.value)
    assert "401" in message and "***@127.0.0.1" in message
    assert "b4dpass" not in message and "s3cret" not in message


def test_errors_name_the_upstream_without_its_credentials():
    port = free_port()
    started = time.monotonic()
    with pytest.raises(SourceError) as failure:
        relay(f"http://admin:hunter22@127.0.0.1:{port}/x").open()
    assert time.monotonic() - started < 2
    assert "refused" in str(failure.value) and "hunter22" not in str(failure.value)


def test_an_http_error_status_is_reported():
    with MjpegTestServer(FRAMES) as upstream:
        upstream.status = 404
        with pytest.raises(SourceError, match="HTTP 404"):
            relay(upstream.url).open()


def test_an_unknown_host_is_reported():
    with pytest.raises(SourceError, match=r"unknown host|cannot reach"):
        relay("http://no-such-host.invalid/x", timeout=2).open()


def test_reading_before_open_is_an_error():
    with pytest.raises(SourceError, match="not open"):
        relay("http://127.0.0.1:9/x").read()
