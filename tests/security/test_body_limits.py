"""Request bodies over their route's limit are refused from their size, before anything reads
them: no gigabyte read, nothing spooled to disk, and authentication never sees them."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import LivecamServer

pytestmark = pytest.mark.timeout(120)

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivecamServer]:
    """A server whose temporary files would land in a folder of its own."""
    data = tmp_path_factory.mktemp("bodies")
    (data / "spool").mkdir()
    server = LivecamServer(data, env={"TMPDIR": str(data / "spool")})
    server.start("--demo")
    yield server
    server.stop()


def _bytes_read(server: LivecamServer) -> int:
    """Return how many bytes the server process has read (sockets included)."""
    assert server.process is not None
    for line in Path(f"/proc/{server.process.pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar")


def _spooled(server: LivecamServer) -> list[str]:
    """Return the server's open files in its temporary folder (deleted ones included)."""
    assert server.process is not None
    fd_dir = Path(f"/proc/{server.process.pid}/fd")
    spool = str(server.data_dir / "spool")
    found = []
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(spool):
            found.append(target)
    return found


def _response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP response with a Content-Length body from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection without answering"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, body


def _flood(sock: socket.socket, total: int, chunked: bool) -> list[int]:
    """Send up to `total` bytes of body in a thread until the server stops taking them."""
    sent = [0]
    piece = b"x" * 65536
    framed = b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece

    def run() -> None:
        try:
            while sent[0] < total:
                sock.sendall(framed)
                sent[0] += len(piece)
        except OSError:
            pass  # reset or closed by the server: what we want

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return sent


def _post(server: LivecamServer, path: str, headers: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
    )
    return sock


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_gigabyte_post_is_refused_before_it_is_read(limited: LivecamServer, chunked: bool):
    before = _bytes_read(limited)
    framing = "Transfer-Encoding: chunked\r\n" if chunked else "Content-Length: 1000000000\r\n"
    with _post(limited, "/login/", framing) as sock:
        if chunked:  # a chunked body is read up to the limit (16 KiB here), no further
            sock.sendall(b"%x\r\n%b\r\n" % (20 * 1024, b"x" * 20 * 1024))
        # Content-Length alone decides: the answer comes before any of the body is sent.
        status, headers, body = _response(sock)
        assert status == 413
        assert headers["content-type"] == "application/json"
        assert "too large" in json.loads(body)["detail"]
        assert headers["connection"] == "close"
        sent = _flood(sock, 1000 * MIB, chunked)  # the rest of the gigabyte
        sock.settimeout(10)
        try:
            while sock.recv(65536):  # the server closes the connection: nothing more is read
                pass
        except ConnectionResetError:
            pass
        assert not _spooled(limited)
    read = _bytes_read(limited) - before
    assert read < 16 * MIB, f"the server read {read} bytes"
    assert sent[0] < 100 * MIB


def test_each_route_has_its_limit_and_small_bodies_pass(limited: LivecamServer):
    with limited.api() as api:
        # JSON API: 64 KiB. Over it: 413 even with a valid token; under it: the usual answer.
        big = api.post("/api/cameras/demo/off", content=b"{" + b" " * (100 * 1024) + b"}")
        assert big.status_code == 413 and "detail" in big.json()
        small = api.post("/api/cameras/demo/off", content=b"{}")
        assert small.status_code == 200 and small.json()["enabled"] is False
        # A small chunked body reaches the view whole.
        chunked = api.post("/api/cameras/demo/on", content=iter([b"{", b"}"]))
        assert chunked.status_code == 200 and chunked.json()["enabled"] is True
    with httpx.Client(base_url=limited.base_url, timeout=10) as client:
        # Forms: 256 KiB outside the login page's 16 KiB.
        assert client.post("/login/", content=b"a=" + b"b" * (20 * 1024)).status_code == 413
        page = client.post("/cameras/demo/power", content=b"a=" + b"b" * (100 * 1024))
        assert page.status_code != 413
        assert client.post("/cameras/demo/power", content=b"a" * (300 * 1024)).status_code == 413
