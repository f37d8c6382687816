"""Network video through PyAV's FFmpeg: an HTTP MJPEG stream decoded, failures reported."""

from __future__ import annotations

import time

import pytest

from livecam.sources import parse_source
from livecam.sources.base import CaptureOptions, SourceError
from livecam.sources.url import UrlSource
from tests.support.mjpeg_server import MjpegTestServer, make_jpegs
from tests.support.server import free_port
from tests.support.sources import close_during_read, read_until_error


def network(url: str, timeout: float = 2.0) -> UrlSource:
    spec = parse_source(url)
    return UrlSource(spec, CaptureOptions(), open_timeout=timeout, read_timeout=timeout)


def test_an_http_mjpeg_stream_is_decoded():
    with MjpegTestServer(make_jpegs(3), fps=30) as upstream, network(upstream.url) as source:
        frames = [source.read() for _ in range(5)]
    for frame in frames:
        assert frame.image is not None and frame.image.shape == (120, 160, 3)
        assert (frame.width, frame.height) == (160, 120) and frame.jpeg is None
    assert not source.passes_jpeg


@pytest.mark.parametrize("scheme", ["http", "rtsp"])
def test_a_refused_port_fails_fast_without_showing_credentials(scheme: str):
    source = network(f"{scheme}://user:topsecret@127.0.0.1:{free_port()}/x")
    started = time.monotonic()
    with pytest.raises(SourceError) as failure:
        source.open()
    assert time.monotonic() - started < 2
    assert "cannot open" in str(failure.value) and "***@127.0.0.1" in str(failure.value)
    assert "topsecret" not in str(failure.value)


def test_a_stalled_stream_is_an_error_after_the_read_timeout():
    with MjpegTestServer(make_jpegs(3), fps=30) as upstream, network(upstream.url, 1) as source:
        source.read()
        upstream.stall()
        started = time.monotonic()
        error = read_until_error(source)  # frames already buffered come out first
        assert "no frame from" in str(error)
        assert time.monotonic() - started < 3


def test_the_upstream_going_away_is_an_error():
    with MjpegTestServer(make_jpegs(3), fps=30) as upstream, network(upstream.url) as source:
        source.read()
        upstream.stop()
        read_until_error(source)


def test_close_from_another_thread_ends_a_blocked_read_within_the_read_timeout():
    with MjpegTestServer(make_jpegs(3), fps=30) as upstream:
        source = network(upstream.url, timeout=1)
        source.open()
        source.read()
        upstream.stall()
        # FFmpeg's read cannot be interrupted: it ends at its timeout.
        close_during_read(source, reads=100)
