"""Relay another MJPEG server: its JPEGs are passed through without decoding."""

from __future__ import annotations

import base64
import http.client
import logging
import socket
import threading
import time
from urllib.parse import unquote

from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec
from livecam.sources.multipart import JpegParts, MultipartReader, boundary_from_content_type
from livecam.sources.urls import parse_url, redact

logger = logging.getLogger(__name__)

TIMEOUT = 5.0
"""Seconds a connect, a socket read or a whole frame may take before upstream counts as stalled."""


class MjpegSource(FrameSource):
    """Read ``multipart/x-mixed-replace`` from an HTTP(S) URL and pass each valid JPEG on.

    Corrupt or truncated parts are dropped and counted in ``dropped``, never forwarded.
    """

    passes_jpeg = True

    def __init__(self, spec: SourceSpec, options: CaptureOptions, timeout: float = TIMEOUT):
        super().__init__(spec, options)
        self.timeout = timeout
        self._url = parse_url(spec.target)
        self._name = redact(spec.target)
        self._connection: http.client.HTTPConnection | None = None
        self._response: http.client.HTTPResponse | None = None
        self._sock: socket.socket | None = None
        self._parts: JpegParts | None = None
        self._dropped_before = 0  # parts dropped on earlier connections of this source
        self._deadline = 0.0
        self._closed = threading.Event()
        # Held by the capture thread while it uses the connection; close() from another
        # thread only shuts the socket down and leaves the rest to the holder.
        self._lock = threading.Lock()

    @property
    def dropped(self) -> int:
        """Return how many corrupt or truncated parts were dropped."""
        parts = self._parts
        return self._dropped_before + (parts.dropped if parts is not None else 0)

    def open(self) -> None:
        """Connect, send the request and check that an MJPEG stream comes back."""
        self._closed.clear()
        with self._lock:
            self._release()
            try:
                self._connect()
            except BaseException:
                self._release()
                raise

    def _connect(self) -> None:
        url = self._url
        cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        # The port is always explicit: http.client would misread an IPv6 host without one.
        connection = cls(url.hostname, url.effective_port, timeout=self.timeout)
        self._connection = connection
        headers = {"User-Agent": "livecam", "Accept": "multipart/x-mixed-replace, */*"}
        if url.userinfo:
            user, _, password = url.userinfo.partition(":")
            pair = f"{unquote(user)}:{unquote(password)}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        try:
            connection.connect()
            self._sock = connection.sock
            if self._closed.is_set():  # closed while connecting
                raise SourceError("relay closed")
            connection.request("GET", url.request_target, headers=headers)
            response = connection.getresponse()
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if self._closed.is_set():
                raise SourceError("relay closed") from None
            raise SourceError(f"cannot reach {self._name}: {_reason(exc)}") from None
        self._response = response
        if response.status != 200:
            hint = " (wrong credentials?)" if response.status in (401, 403) else ""
            raise SourceError(f"{self._name} answered HTTP {response.status}{hint}")
        boundary = boundary_from_content_type(response.getheader("Content-Type", ""))
        self._parts = JpegParts(MultipartReader(self._read_some, boundary))
        logger.info("relaying %s", self._name)

    def _read_some(self, size: int) -> bytes:
        response = self._response
        # Each socket read has its own timeout; the deadline also catches an upstream that
        # trickles a few bytes now and then but never completes a frame.
        if self._closed.is_set() or response is None:
            raise SourceError("relay closed")
        if time.monotonic() > self._deadline:
            raise SourceError(f"{self._name} stalled (no frame for {self.timeout:g} s)")
        try:
            data = response.read1(size)
        except (OSError, http.client.HTTPException, ValueError, AttributeError) as exc:
            # ValueError/AttributeError: http.client's state after a close from elsewhere.
            if self._closed.is_set():
                raise SourceError("relay closed") from None
            raise SourceError(f"{self._name} stopped: {_reason(exc)}") from None
        if not data and self._closed.is_set():  # shut down by close(), not by upstream
            raise SourceError("relay closed")
        return data

    def read(self) -> SourceFrame:
        """Return the next valid JPEG from upstream; drop corrupt ones."""
        with self._lock:
            try:
                parts = self._parts
                if parts is None or self._closed.is_set():
                    raise SourceError("relay is not open")
                self._deadline = time.monotonic() + self.timeout
                jpeg, width, height = parts.next_jpeg()
                return SourceFrame(width, height, jpeg=jpeg)
            finally:
                if self._closed.is_set():  # closed while we read: release here
                    self._release()

    def close(self) -> None:
        """Close the connection; a read blocked on the socket returns at once."""
        self._closed.set()
        sock = self._sock
        if sock is not None:
            try:
                # socket.socket's own shutdown, even for TLS: it wakes a blocked recv without
                # touching the SSL object the reading thread is using.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
        if self._lock.acquire(blocking=False):
            try:
                self._release()
            finally:
                self._lock.release()

    def _release(self) -> None:
        if self._parts is not None:
            self._dropped_before += self._parts.dropped
        connection, self._connection = self._connection, None
        response, self._response = self._response, None
        self._sock, self._parts = None, None
        # The response holds its own reference to the socket: close it too, or the socket
        # stays open until garbage collection.
        if response is not None:
            response.close()
        if connection is not None:
            connection.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__
