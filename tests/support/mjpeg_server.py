"""A scriptable MJPEG HTTP server on 127.0.0.1 for tests: the upstream of relay cameras.

It serves a list of JPEGs as ``multipart/x-mixed-replace`` at a rate, to any number of
clients, and lets a test inject faults while it runs::

    with MjpegTestServer(make_jpegs(3), fps=30) as upstream:
        ...                       # upstream.url is the stream
        upstream.stall()          # keep the connections, send nothing
        upstream.resume()
        upstream.send_garbage()   # one corrupt part (framing intact) to every client
        upstream.drop_connections()
        upstream.stop(); upstream.start()   # listener gone and back, same port
        upstream.wait_for(lambda: upstream.sent >= 10)
"""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np
import simplejpeg

from tests.support.server import free_port

GARBAGE_KINDS = ("corrupt", "truncated", "noise", "bad_length")


def make_jpegs(count: int, width: int = 160, height: int = 120) -> list[bytes]:
    """Return `count` distinct small JPEGs."""
    frames = []
    for index in range(count):
        image = np.zeros((height, width, 3), dtype=np.uint8)
        image[:, : (index * 13) % width] = (40 + index * 7) % 256
        image[: (index * 7) % height, :, 1] = 200
        frames.append(simplejpeg.encode_jpeg(image, quality=80, colorspace="BGR"))
    return frames


class MjpegTestServer:
    """Serve JPEGs as an MJPEG stream at `fps`; tests switch faults on and off at runtime.

    `boundary` is the value declared in the Content-Type; delimiter lines are ``--`` and the
    boundary without its own leading dashes (so "--myboundary", as mjpg-streamer does, gives
    "--myboundary" lines). `count` ends each response after that many frames. `mode` is
    "normal", "stall" or "garbage" (every other part corrupt). `status` other than 200 makes
    every request fail with that status.
    """

    def __init__(
        self,
        frames: Sequence[bytes],
        fps: float = 20.0,
        *,
        content_length: bool = True,
        credentials: tuple[str, str] | None = None,
        boundary: str = "--myboundary",
        newline: bytes = b"\r\n",
        count: int | None = None,
        port: int | None = None,
    ) -> None:
        self.frames = list(frames)
        self.fps = fps
        self.content_length = content_length
        self.credentials = credentials
        self.boundary = boundary
        self.newline = newline
        self.count = count
        self.port = port or free_port()
        self.mode = "normal"
        self.status = 200
        self.sent = 0
        """Good frames sent, over all connections."""
        self.garbage_sent = 0
        self.connections = 0
        """Streams accepted so far (a reconnecting client counts again)."""
        self.requests: list[bytes] = []
        """The head of every request received, for tests that check what clients send."""
        self._garbage: list[str] = []
        self._listener: socket.socket | None = None
        self._halt = threading.Event()
        self._clients: set[socket.socket] = set()
        self._cond = threading.Condition()

    @property
    def url(self) -> str:
        """Return the stream URL (without credentials)."""
        return f"http://127.0.0.1:{self.port}/stream"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> MjpegTestServer:
        """Listen (again, on the same port) and accept in a background thread."""
        if self._listener is not None:
            return self
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        self._halt = threading.Event()  # a new one per start: old streams stay halted
        threading.Thread(
            target=self._accept, args=(listener, self._halt), daemon=True, name="mjpeg-accept"
        ).start()
        return self

    def stop(self) -> None:
        """Stop listening and drop every stream; `start` listens on the same port again."""
        self._halt.set()
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone may not.
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        self.drop_connections()

    def close(self) -> None:
        """Stop for good."""
        self.stop()

    def __enter__(self) -> MjpegTestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- faults ------------------------------------------------------------------------------

    def stall(self) -> None:
        """Keep every connection open but send nothing until `resume`."""
        self.mode = "stall"

    def resume(self) -> None:
        """Send frames normally again."""
        self.mode = "normal"

    def send_garbage(self, kind: str = "corrupt", count: int = 1) -> None:
        """Send `count` bad parts (see GARBAGE_KINDS) instead of the next frames.

        corrupt: starts like a JPEG, never ends; truncated: the first half of a real frame;
        noise: not a JPEG at all; bad_length (with content_length): a Content-Length that
        overshoots the body, so the client must find the next boundary again.
        """
        if kind not in GARBAGE_KINDS:
            raise ValueError(kind)
        with self._cond:
            self._garbage.extend([kind] * count)

    def drop_connections(self) -> None:
        """Close every open stream at once (clients see the connection end)."""
        with self._cond:
            clients = list(self._clients)
            self._clients.clear()
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until `predicate()` holds (checked whenever something is sent or accepted)."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    # -- serving -----------------------------------------------------------------------------

    def _accept(self, listener: socket.socket, halt: threading.Event) -> None:
        while not halt.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._cond:
                self._clients.add(client)
            threading.Thread(
                target=self._serve, args=(client, halt), daemon=True, name="mjpeg-client"
            ).start()

    def _serve(self, client: socket.socket, halt: threading.Event) -> None:
        client.settimeout(5)  # a client that stops reading must not pin this thread forever
        try:
            head = self._request_head(client)
            with self._cond:
                self.requests.append(head)
            if self.status != 200:
                client.sendall(b"HTTP/1.0 %d Error\r\nContent-Length: 0\r\n\r\n" % self.status)
                return
            if self.credentials and not self._authorised(head):
                client.sendall(
                    b'HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm="cam"\r\n'
                    b"Content-Length: 0\r\n\r\n"
                )
                return
            client.sendall(
                b"HTTP/1.0 200 OK\r\nCache-Control: no-cache\r\n"
                b"Content-Type: multipart/x-mixed-replace; boundary=%s\r\n\r\n"
                % self.boundary.encode()
            )
            with self._cond:
                self.connections += 1
                self._cond.notify_all()
            self._stream(client, halt)
        except OSError:
            pass
        finally:
            with self._cond:
                self._clients.discard(client)
            client.close()

    def _stream(self, client: socket.socket, halt: threading.Event) -> None:
        period, due, index, sent_here = 1.0 / self.fps, time.monotonic(), 0, 0
        while self.count is None or sent_here < self.count:
            if halt.wait(max(0.0, due - time.monotonic())):
                return
            due = max(due + period, time.monotonic() - period)  # the upstream camera's clock
            if self.mode == "stall":
                continue
            with self._cond:
                garbage = self._garbage.pop(0) if self._garbage else None
            if garbage is None and self.mode == "garbage" and index % 2:
                garbage = "corrupt"
            frame = self.frames[index % len(self.frames)]
            index += 1
            client.sendall(self._garbage_part(garbage, frame) if garbage else self._part(frame))
            with self._cond:
                if garbage:
                    self.garbage_sent += 1
                else:
                    self.sent += 1
                    sent_here += 1
                self._cond.notify_all()

    @staticmethod
    def _request_head(client: socket.socket) -> bytes:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = client.recv(4096)
            if not chunk:
                break
            head += chunk
        return head

    def _authorised(self, head: bytes) -> bool:
        assert self.credentials is not None
        expected = b"Basic " + base64.b64encode(":".join(self.credentials).encode())
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"authorization" and value.strip() == expected:
                return True
        return False

    def _part(self, body: bytes, length: int | None = None) -> bytes:
        nl = self.newline
        head = b"--" + self.boundary.lstrip("-").encode() + nl + b"Content-Type: image/jpeg" + nl
        if self.content_length:
            head += b"Content-Length: %d" % (len(body) if length is None else length) + nl
        return head + nl + body + nl

    def _garbage_part(self, kind: str, frame: bytes) -> bytes:
        if kind == "truncated":
            return self._part(frame[: len(frame) // 2])
        if kind == "noise":
            return self._part(b"this is not a jpeg " * 20)
        if kind == "bad_length":
            return self._part(frame, length=len(frame) + 100)
        return self._part(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
