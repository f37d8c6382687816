"""Relay another MJPEG server: its JPEGs are passed through without decoding."""

from __future__ import annotations

import base64
import http.client
import logging
import socket
import threading
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from livecam.sources import redact
from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec
from livecam.sources.jpeg import jpeg_size
from livecam.sources.multipart import MultipartReader, boundary_from_content_type

logger = logging.getLogger(__name__)

TIMEOUT = 5.0
"""Seconds a connect or a read may take before the upstream counts as stalled."""
_MAX_BAD_IN_A_ROW = 50


class MjpegSource(FrameSource):
    """Read ``multipart/x-mixed-replace`` from an HTTP(S) URL and pass each valid JPEG on.

    Corrupt or truncated parts are dropped and counted in ``dropped``, never forwarded.
    """

    passes_jpeg = True

    def __init__(self, spec: SourceSpec, options: CaptureOptions, timeout: float = TIMEOUT):
        super().__init__(spec, options)
        self.timeout = timeout
        self.dropped = 0
        self._url = urlsplit(spec.target)
        self._connection: http.client.HTTPConnection | None = None
        self._response: http.client.HTTPResponse | None = None
        self._reader: MultipartReader | None = None
        self._closed = threading.Event()

    def open(self) -> None:
        """Connect, send the request and check that an MJPEG stream comes back."""
        self._closed.clear()
        url = self._url
        cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        connection = cls(url.hostname or "", url.port, timeout=self.timeout)
        self._connection = connection
        headers = {"User-Agent": "livecam", "Accept": "multipart/x-mixed-replace, */*"}
        if url.username is not None:
            pair = f"{unquote(url.username)}:{unquote(url.password or '')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            self._response = response
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise SourceError(f"cannot reach {redact(self.spec.target)}: {_reason(exc)}") from None
        if response.status != 200:
            self.close()
            raise SourceError(f"{redact(self.spec.target)} answered HTTP {response.status}")
        boundary = boundary_from_content_type(response.getheader("Content-Type", ""))
        self._reader = MultipartReader(self._read_from(response), boundary)

    def _read_from(self, response: http.client.HTTPResponse) -> Callable[[int], bytes]:
        def read(size: int) -> bytes:
            if self._closed.is_set():
                raise SourceError("relay closed")
            try:
                return response.read1(size)
            except (OSError, http.client.HTTPException) as exc:
                if self._closed.is_set():
                    raise SourceError("relay closed") from None
                raise SourceError(f"upstream stopped: {_reason(exc)}") from None

        return read

    def read(self) -> SourceFrame:
        """Return the next valid JPEG from upstream; drop corrupt ones."""
        reader = self._reader
        if reader is None:
            raise SourceError("relay is not open")
        for _ in range(_MAX_BAD_IN_A_ROW):
            body = reader.next_part()
            size = jpeg_size(body)
            if size is not None:
                return SourceFrame(size[0], size[1], jpeg=body)
            self.dropped += 1
            logger.debug("dropped a corrupt part of %d bytes from upstream", len(body))
        raise SourceError("upstream sends no valid JPEG")

    def close(self) -> None:
        """Close the connection; a read blocked on the socket returns at once."""
        self._closed.set()
        connection, self._connection = self._connection, None
        response, self._response = self._response, None
        self._reader = None
        if response is not None:
            # The response holds its own reference to the socket: close it too, or the
            # socket stays open until garbage collection.
            response.close()
        if connection is None:
            return
        sock = connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        connection.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
