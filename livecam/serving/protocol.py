"""uvicorn's httptools protocol with a proxy's limits: head size and time, connection caps.

People run ``livecam serve`` on a LAN without a proxy. Stock uvicorn there lets one socket grow a
header for ever (httptools joins its pieces by repeated concatenation: 150 MB stalled every
other request and stream for 20 s), keeps idle and half-sent requests open without end, and
accepts any number of connections. This protocol:

- answers ``431`` and closes once a request head (request line and headers) passes
  ``MAX_HEADER_BYTES``, counted as bytes arrive, before the parser has joined them;
- closes a connection whose request head is not complete ``HEAD_TIMEOUT`` seconds after it
  opened or after its first byte (idle keep-alive connections close after uvicorn's own 5 s);
- answers ``503`` and closes a new connection beyond ``MAX_CONNECTIONS`` in this process, or
  beyond ``MAX_CONNECTIONS_PER_ADDRESS`` from one client address (trusted proxies, which carry
  every client on one address, are exempt).

Only the request side changes: stream parts are still written straight to the transport.
"""

from __future__ import annotations

import asyncio
import collections
import ipaddress
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from livecam import conf

logger = logging.getLogger(__name__)

_per_address: collections.Counter[str] = collections.Counter()


def _response(status: bytes) -> bytes:
    return b"HTTP/1.1 %b\r\ncontent-length: 0\r\nconnection: close\r\n\r\n" % status


_TOO_LARGE = _response(b"431 Request Header Fields Too Large")
_BUSY = _response(b"503 Service Unavailable")
_TIMEOUT = _response(b"408 Request Timeout")
_LINGER = 1.0
"""Seconds a refused connection with unread bytes stays open, not reading, before it closes."""


def connection_limits() -> tuple[int, int]:
    """Return the caps on connections per process (room left for the viewer cap) and per address."""
    total = int(conf.get("MAX_CONNECTIONS"))
    viewers = int(conf.get("MAX_VIEWERS"))
    if viewers:
        total = max(total, viewers + 256)  # pages, API calls and events beside the viewers
    return total, int(conf.get("MAX_CONNECTIONS_PER_ADDRESS"))


def trusted(address: str, allowed: list[str] | str) -> bool:
    """Return True when `address` is one of the trusted proxies (``*``, addresses, networks)."""
    entries = allowed.split(",") if isinstance(allowed, str) else allowed
    for entry in (e.strip() for e in entries):
        if entry == "*":
            return True
        try:
            if ipaddress.ip_address(address) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a host name or a malformed entry: never matches an address
    return False


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` with request head size/time limits and connection caps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_head = int(conf.get("MAX_HEADER_BYTES"))
        self.head_timeout = float(conf.get("HEAD_TIMEOUT"))
        self._in_head = True
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._address: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Accept the connection unless a cap is reached; start the head timer."""
        super().connection_made(transport)
        total, per_address = connection_limits()
        address = self.client[0] if self.client else ""
        if per_address and address and not trusted(address, self.config.forwarded_allow_ips):
            if _per_address[address] >= per_address:
                logger.warning("refused a connection: %d open from one address", per_address)
                self._refuse(_BUSY)
                return
            self._address = address
            _per_address[address] += 1
        if total and len(self.connections) > total:
            logger.warning("refused a connection: %d connections open", total)
            self._refuse(_BUSY)
            return
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection in the caps; stop its timer."""
        self._cancel_head_timer()
        if self._address is not None:
            _per_address[self._address] -= 1
            if _per_address[self._address] <= 0:
                del _per_address[self._address]
            self._address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Count request head bytes as they arrive; refuse a head over the limit."""
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_timer is None:
                self._arm_head_timer()  # a new request on a kept-alive connection
        super().data_received(data)
        if self._in_head and self._head_bytes > self.max_head and not self.transport.is_closing():
            logger.warning("refused a request head over %d bytes", self.max_head)
            self._refuse(_TOO_LARGE, linger=_LINGER)

    def on_headers_complete(self) -> None:
        """Stop counting and timing the head: it is whole."""
        self._in_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """Count the next bytes as the next request's head."""
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0

    def _arm_head_timer(self) -> None:
        if self.head_timeout > 0 and not self.transport.is_closing():
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        idle = self.cycle is None or self.cycle.response_complete
        if self._in_head and idle and not self.transport.is_closing():
            self._refuse(_TIMEOUT if self._head_bytes else b"")

    def _refuse(self, answer: bytes, linger: float = 0.0) -> None:
        self._cancel_head_timer()
        if answer:
            self.transport.write(answer)
        if linger:
            # Closing with unread bytes makes the kernel reset the connection, which can
            # discard the answer before the client reads it: stop reading (the client's sends
            # stall) and close a moment later.
            self._in_head = False
            self.transport.pause_reading()
            self.loop.call_later(linger, self.transport.close)
        else:
            self.transport.close()
