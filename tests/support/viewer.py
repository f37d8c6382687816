"""Viewers for reliability tests: one recorded stream in a thread, many counted on one loop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable

import httpx

from tests.support.mjpeg import StreamReader
from tests.support.server import LivecamServer

PART_END = b"\r\n--frame\r\n"


class Viewer:
    """One stream read in a background thread; every part is kept with its arrival time.

    ``is_live(body)`` tells live frames from placeholders. ``ended`` turns True only if the
    connection ends, so "resumed in the same connection" is ``not ended`` plus live parts.
    """

    def __init__(
        self,
        server: LivecamServer,
        camera_id: str,
        is_live: Callable[[bytes], bool],
        query: str = "",
    ) -> None:
        self.is_live = is_live
        self.parts: list[tuple[float, bool, bytes]] = []
        self.ended = False
        self.error: BaseException | None = None
        self._closing = False
        self._cond = threading.Condition()
        self._client = httpx.Client(
            base_url=server.base_url,
            headers=server.auth_headers(),
            timeout=httpx.Timeout(10, read=30),
        )
        request = self._client.build_request("GET", f"/cameras/{camera_id}/stream.mjpg{query}")
        self.response = self._client.send(request, stream=True)
        assert self.response.status_code == 200, self.response.read()
        self._thread = threading.Thread(target=self._read, daemon=True, name="test-viewer")
        self._thread.start()

    def _read(self) -> None:
        reader = StreamReader(self.response.iter_raw())
        try:
            while True:
                part = reader.next_part()
                with self._cond:
                    self.parts.append((time.monotonic(), self.is_live(part.body), part.body))
                    self._cond.notify_all()
        except StopIteration:
            pass
        except BaseException as exc:  # reported to the test through `error`
            if not self._closing:  # our own close() interrupts the read: not an error
                self.error = exc
        with self._cond:
            self.ended = True
            self._cond.notify_all()

    def wait(self, live: bool, after: float = 0.0, timeout: float = 10.0) -> tuple[float, bytes]:
        """Return (arrival, body) of the first live (or placeholder) part after `after`."""
        deadline = time.monotonic() + timeout

        def found() -> tuple[float, bytes] | None:
            for at, is_live, body in self.parts:
                if at > after and is_live == live:
                    return at, body
            return None

        with self._cond:
            while (hit := found()) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.ended:
                    kind = "live frame" if live else "placeholder"
                    raise AssertionError(f"no {kind} (ended={self.ended}, error={self.error!r})")
                self._cond.wait(remaining)
        return hit

    def count(self, since: float, until: float, live: bool = True) -> int:
        """Return how many live (or placeholder) parts arrived in [since, until)."""
        with self._cond:
            return sum(
                1 for at, is_live, _ in self.parts if since <= at < until and is_live == live
            )

    def wait_ended(self, timeout: float = 10.0) -> None:
        """Wait until the server ends the stream (fail if it does not)."""
        with self._cond:
            self._cond.wait_for(lambda: self.ended, timeout)
        assert self.ended, "the stream did not end"

    def close(self) -> None:
        """Close the connection and the client."""
        self._closing = True
        self.response.close()
        self._client.close()
        self._thread.join(5)

    def __enter__(self) -> Viewer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def request_bytes(server: LivecamServer, path: str) -> bytes:
    """Return a raw HTTP/1.1 GET with the admin token, for socket-level clients."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Bearer {server.token}\r\n\r\n"
    ).encode()


async def count_parts(
    server: LivecamServer,
    path: str,
    stop: asyncio.Event,
    counts: list[int],
    index: int,
    first: asyncio.Event,
) -> None:
    """Read one stream on the running loop until `stop`, counting its parts in counts[index].

    Only boundaries are counted (no parsing), so twenty of these fit in one client thread.
    `first` is set when the first part has arrived.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request_bytes(server, path))
    tail = b""
    stopper = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            read = asyncio.ensure_future(reader.read(256 * 1024))
            await asyncio.wait({read, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if not read.done():
                read.cancel()
                break
            chunk = read.result()
            if not chunk:
                break
            data = tail + chunk
            # Every part ends with the boundary; the preamble has none before it.
            counts[index] += data.count(PART_END)
            tail = data[-(len(PART_END) - 1) :]
            if counts[index]:
                first.set()
    finally:
        stopper.cancel()
        writer.close()


async def watch(
    server: LivecamServer,
    path: str,
    viewers: int,
    seconds: float,
    captured: Callable[[], float],
) -> tuple[list[int], float]:
    """Count each of `viewers` streams' parts over `seconds`, once all of them are flowing.

    Return the parts per viewer and the frames `captured()` counted over the same window.
    """
    stop = asyncio.Event()
    counts = [0] * viewers
    firsts = [asyncio.Event() for _ in range(viewers)]
    tasks = [
        asyncio.create_task(count_parts(server, path, stop, counts, index, firsts[index]))
        for index in range(viewers)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(first.wait() for first in firsts)), 30)
        start_counts, start_captured = list(counts), await asyncio.to_thread(captured)
        await asyncio.sleep(seconds)  # the measuring window itself
        end_counts, end_captured = list(counts), await asyncio.to_thread(captured)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    parts = [end - begin for begin, end in zip(start_counts, end_counts, strict=True)]
    return parts, end_captured - start_captured


def stalled_viewer(server: LivecamServer, path: str) -> socket.socket:
    """Open a stream and never read it: a tiny receive buffer, so the server must hold back."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(request_bytes(server, path))
    return sock


def connection_closed(sock: socket.socket, timeout: float) -> bool:
    """Drain a socket; return True if the server closed or reset it within `timeout` seconds."""
    sock.settimeout(1.0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if not sock.recv(1 << 20):
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except TimeoutError:
            continue
    return False
