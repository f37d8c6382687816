"""A scriptable MJPEG HTTP server on 127.0.0.1 for tests: the upstream of relay cameras."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Sequence

import numpy as np
import simplejpeg

from tests.support.server import free_port


def make_jpegs(count: int, width: int = 160, height: int = 120) -> list[bytes]:
    """Return `count` distinct small JPEGs."""
    frames = []
    for index in range(count):
        image = np.zeros((height, width, 3), dtype=np.uint8)
        image[:, : (index * 13) % width] = (40 + index * 7) % 256
        frames.append(simplejpeg.encode_jpeg(image, quality=80, colorspace="BGR"))
    return frames


class MjpegTestServer:
    """Serve a list of JPEGs as multipart at a rate; tests switch faults on and off.

    Modes: normal, ``stall`` (keep connections open, send nothing), ``garbage`` (corrupt parts
    between good ones). ``drop_connections`` closes open streams; ``stop``/``start`` the
    listener on the same port.
    """

    def __init__(
        self,
        frames: Sequence[bytes],
        fps: float = 20.0,
        content_length: bool = True,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.frames = list(frames)
        self.fps = fps
        self.content_length = content_length
        self.credentials = credentials
        self.port = free_port()
        self.mode = "normal"
        self.sent = 0
        self._listener: socket.socket | None = None
        self._clients: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = threading.Event()

    @property
    def url(self) -> str:
        """Return the stream URL (without credentials)."""
        return f"http://127.0.0.1:{self.port}/stream"

    def start(self) -> MjpegTestServer:
        """Listen and accept in a background thread."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        self._running.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening and drop every stream (the port may be reused by start)."""
        self._running.clear()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self.drop_connections()

    def close(self) -> None:
        """Stop for good."""
        self.stop()

    def drop_connections(self) -> None:
        """Close every open stream."""
        with self._lock:
            clients = list(self._clients)
            self._clients.clear()
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()

    def __enter__(self) -> MjpegTestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _accept(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._clients.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            request = client.recv(65536).decode("latin-1")
            if self.credentials and not self._authorised(request):
                client.sendall(b"HTTP/1.0 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
                return
            client.sendall(
                b"HTTP/1.0 200 OK\r\n"
                b"Content-Type: multipart/x-mixed-replace; boundary=--myboundary\r\n\r\n"
            )
            index = 0
            period = 1.0 / self.fps
            while self._running.is_set():
                time.sleep(period)  # the upstream camera's frame clock
                if self.mode == "stall":
                    continue
                if self.mode == "garbage" and index % 2:
                    client.sendall(self._part(b"\xff\xd8not a jpeg at all"))
                else:
                    client.sendall(self._part(self.frames[index % len(self.frames)]))
                    self.sent += 1
                index += 1
        except OSError:
            pass
        finally:
            with self._lock:
                self._clients.discard(client)
            client.close()

    def _authorised(self, request: str) -> bool:
        assert self.credentials is not None
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        return f"Authorization: Basic {expected}" in request

    def _part(self, body: bytes) -> bytes:
        head = b"--myboundary\r\nContent-Type: image/jpeg\r\n"
        if self.content_length:
            head += b"Content-Length: %d\r\n" % len(body)
        return head + b"\r\n" + body + b"\r\n"
