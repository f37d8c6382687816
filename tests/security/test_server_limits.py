"""The HTTP server's own limits, as a proxy would give them: request head size and time, and
connection caps per process and per client address."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.test import override_settings

from livecam.serving.protocol import connection_limits, trusted
from tests.support.mjpeg import StreamReader
from tests.support.server import LivecamServer

pytestmark = pytest.mark.timeout(120)

MIB = 1024 * 1024


def _serve(path: Path, **settings: object) -> Iterator[LivecamServer]:
    server = LivecamServer(path, settings=settings)
    server.start("--demo")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivecamServer]:
    """A server that gives a request head one second."""
    yield from _serve(tmp_path_factory.mktemp("strict"), HEAD_TIMEOUT=1.0)


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivecamServer]:
    """A server taking 24 connections, 4 per client address."""
    yield from _serve(
        tmp_path_factory.mktemp("capped"),
        MAX_CONNECTIONS=24,
        MAX_CONNECTIONS_PER_ADDRESS=4,
        HEAD_TIMEOUT=60.0,
    )


def _connect(server: LivecamServer, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), 10, (source, 0))


def _closed_within(sock: socket.socket, seconds: float) -> bytes:
    """Return what the server sent before closing the socket; fail if it stays open."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"still open after {seconds} s (got {received[:60]!r})") from None
    finally:
        sock.close()
    return received


def _healthz_seconds(server: LivecamServer) -> float:
    started = time.monotonic()
    assert httpx.get(server.url("/healthz"), timeout=30).status_code == 200
    return time.monotonic() - started


def test_a_huge_header_is_refused_without_stalling_anyone(strict: LivecamServer):
    with (
        httpx.Client(base_url=strict.base_url, headers=strict.auth_headers(), timeout=10) as client,
        client.stream("GET", "/cameras/demo/stream.mjpg?fps=10") as stream,
    ):
        reader = StreamReader(stream.iter_raw())
        reader.next_part()
        sock = _connect(strict)
        sent = [0]

        def flood() -> None:  # one header value growing to 150 MB, as the probe did
            try:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
                while sent[0] < 150 * MIB:
                    sock.sendall(b"a" * MIB)
                    sent[0] += MIB
            except OSError:
                pass  # refused and closed: what we want

        thread = threading.Thread(target=flood, daemon=True)
        thread.start()
        answer = _closed_within(sock, 10)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]
        assert sent[0] < 16 * MIB
        assert _healthz_seconds(strict) < 2
        gap_started = time.monotonic()
        for _ in range(5):  # the open stream goes on at its pace
            reader.next_part()
        assert time.monotonic() - gap_started < 3
        thread.join(10)
        sock.close()


def test_idle_and_half_sent_connections_are_closed_after_the_head_timeout(
    strict: LivecamServer,
):
    idle = [_connect(strict) for _ in range(3)]
    half = [_connect(strict) for _ in range(5)]
    for sock in half:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    for sock in idle:
        assert _closed_within(sock, 5) == b""
    for sock in half:
        assert _closed_within(sock, 5).startswith(b"HTTP/1.1 408 ")
    for sock in idle + half:
        sock.close()
    # A client that sends its request in time is not affected, also on a kept-alive connection.
    with httpx.Client(base_url=strict.base_url, timeout=10) as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(1.5)  # longer than the head timeout, shorter than keep-alive's 5 s
        assert client.get("/healthz").status_code == 200


def test_connections_per_address_and_per_process_are_capped(capped: LivecamServer):
    mine = [_connect(capped, "127.0.0.2") for _ in range(4)]
    refused = _connect(capped, "127.0.0.2")
    assert _closed_within(refused, 5).startswith(b"HTTP/1.1 503 ")
    other = _connect(capped, "127.0.0.3")  # another address is not affected
    other.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert _closed_within(other, 5).startswith(b"HTTP/1.1 200 ")
    mine.pop().close()
    deadline = time.monotonic() + 5
    while True:  # the closed one's place is free again once the server saw it go
        again = _connect(capped, "127.0.0.2")
        again.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        if _closed_within(again, 5).startswith(b"HTTP/1.1 200 "):
            break
        assert time.monotonic() < deadline
    # 127.0.0.1 is the trusted proxy address: not capped per address, only per process.
    local = [_connect(capped) for _ in range(24 - len(mine))]
    over = _connect(capped)
    assert _closed_within(over, 5).startswith(b"HTTP/1.1 503 ")
    for sock in mine + local:
        sock.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            if httpx.get(capped.url("/healthz"), timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline


def test_the_connection_cap_leaves_room_for_the_viewer_cap():
    with override_settings(LIVECAM={"MAX_CONNECTIONS": 100, "MAX_VIEWERS": 500}):
        assert connection_limits()[0] == 756
    with override_settings(LIVECAM={"MAX_CONNECTIONS": 4096, "MAX_VIEWERS": 500}):
        assert connection_limits()[0] == 4096
    assert trusted("127.0.0.1", "127.0.0.1,::1") and not trusted("127.0.0.2", "127.0.0.1")
    assert trusted("10.1.2.3", ["10.0.0.0/8"]) and trusted("192.0.2.1", "*")
