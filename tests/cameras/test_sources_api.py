"""Probing sources, previews and the device list through a real server."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import simplejpeg

from tests.support.server import LivecamServer
from tests.support.sources import write_clip


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections (kernel backlog) but never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_probe_of_the_pattern_reports_size_rate_and_codec(server: LivecamServer):
    with server.api() as client:
        answer = client.post("/api/sources/probe", json={"source": "pattern:"})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["ok"] is True and result["error"] == ""
    assert (result["width"], result["height"]) == (640, 480)
    assert 10 <= result["fps"] <= 40  # the pattern runs at 30 fps; a busy machine reads fewer
    assert (result["codec"], result["passes_through"]) == ("raw", False)


def test_probe_of_a_file_in_the_allowed_folder(server: LivecamServer):
    clip = write_clip(server.data_dir / "media" / "probe-clip.avi", 30, 15)
    with server.api() as client:
        result = client.post("/api/sources/probe", json={"source": f"file:{clip}"}).json()
    assert result["ok"] is True, result
    assert (result["width"], result["height"]) > (0, 0)
    assert result["codec"] != ""


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("file:/etc/passwd", "source: files must be under"),
        ("gopher://example.com/", "source: unknown source kind"),
        ("device:/dev/video9", "no camera at /dev/video9"),
    ],
)
def test_probe_refuses_what_is_not_allowed_or_absent(
    server: LivecamServer, source: str, reason: str
):
    with server.api() as client:
        result = client.post("/api/sources/probe", json={"source": source}).json()
    assert result["ok"] is False
    assert reason in result["error"], result


@pytest.mark.parametrize("scheme", ["mjpeg+http", "rtsp"])
def test_a_dead_network_camera_answers_an_error_in_bounded_time(
    server: LivecamServer, silent_port: int, scheme: str
):
    started = time.monotonic()
    with server.api(timeout=30) as client:
        answer = client.post(
            "/api/sources/probe", json={"source": f"{scheme}://127.0.0.1:{silent_port}/video"}
        )
        elapsed = time.monotonic() - started
        assert answer.status_code == 200
        assert answer.json()["ok"] is False and answer.json()["error"]
        assert elapsed < 12, elapsed
        # The worker is free: another request is answered at once.
        assert client.get("/api/cameras").status_code == 200


def test_probe_snapshot_is_a_jpeg_of_the_source(server: LivecamServer):
    with server.api() as client:
        answer = client.post("/api/sources/probe/snapshot", json={"source": "pattern:"})
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/jpeg"
        assert simplejpeg.decode_jpeg_header(answer.content)[:2] == (480, 640)
        refused = client.post("/api/sources/probe/snapshot", json={"source": "file:/etc/passwd"})
        assert refused.status_code == 400 and "files must be under" in refused.json()["detail"]


def test_probe_body_refuses_unknown_fields(server: LivecamServer):
    with server.api() as client:
        answer = client.post("/api/sources/probe", json={"source": "pattern:", "shell": "x"})
    assert answer.status_code in (400, 422)


def test_devices_on_a_machine_without_cameras_is_an_empty_list(server: LivecamServer):
    if list(Path("/dev").glob("video*")):
        pytest.skip("this machine has V4L2 devices: the empty answer cannot be checked")
    with server.api() as client:
        answer = client.get("/api/devices")
    assert answer.status_code == 200 and answer.json() == []


@pytest.fixture
def garbage_server() -> Iterator[int]:
    """A TCP server that answers every connection with a stream of random bytes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        noise = random.Random(7).randbytes(64 * 1024)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=_spray, args=(conn, noise, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()


def _spray(conn: socket.socket, noise: bytes, stop: threading.Event) -> None:
    with conn:
        try:
            conn.settimeout(5)
            while not stop.is_set():
                conn.sendall(noise)
        except OSError:  # the prober hung up: what we expect
            pass


@pytest.mark.parametrize("scheme", ["mjpeg+http", "http", "rtsp"])
def test_a_source_that_sends_garbage_gives_a_clear_error_in_bounded_time(
    server: LivecamServer, garbage_server: int, scheme: str
):
    started = time.monotonic()
    with server.api(timeout=30) as client:
        answer = client.post(
            "/api/sources/probe", json={"source": f"{scheme}://127.0.0.1:{garbage_server}/v"}
        )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["ok"] is False and len(result["error"]) > 5, result
    assert "internal error" not in result["error"]
    assert time.monotonic() - started < 12
