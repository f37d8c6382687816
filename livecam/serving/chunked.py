"""Write ready-made stream parts to uvicorn's connection as HTTP/1.1 chunks, framed once.

uvicorn's ``send`` frames every body message itself: it joins the chunk header, the body and
the trailing CRLF into a new bytes object, a copy of the whole JPEG for every viewer and
frame, and that copy plus the Python around it was the largest share of the server's CPU
with hundreds of viewers. An MJPEG part is the same bytes for every viewer, so it is framed
once here (cached by identity) and handed to the transport as it is.

Only uvicorn's httptools protocol in chunked mode is written to directly; anything else
(another server, the h11 protocol, a HEAD request) gets None and goes through ``send``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

Send = Callable[[Mapping[str, Any]], Awaitable[None]]

_CACHE_SIZE = 64
"""Framed parts kept (oldest dropped first): the newest frames of the watched cameras, their
variants and tile parts, and placeholders."""

_framed: dict[int, tuple[bytes, bytes]] = {}


class Flow(Protocol):
    """uvicorn's flow control of one connection."""

    write_paused: bool

    async def drain(self) -> None:
        """Wait until the transport takes writes again."""


class Connection(Protocol):
    """The parts of uvicorn's request/response cycle a direct writer uses."""

    disconnected: bool
    chunked_encoding: bool | None
    flow: Flow
    transport: Any


def direct_connection(send: Send) -> Connection | None:
    """Return the connection behind `send` when parts may be written to it directly."""
    cycle = getattr(send, "__self__", None)
    if getattr(cycle, "chunked_encoding", None) is not True:
        return None  # not uvicorn's httptools cycle, or not chunked (HEAD, Content-Length)
    flow = getattr(cycle, "flow", None)
    transport = getattr(cycle, "transport", None)
    if not hasattr(flow, "drain") or not hasattr(transport, "write"):
        return None
    if not isinstance(getattr(cycle, "disconnected", None), bool):
        return None
    return cycle


def chunk(part: bytes) -> bytes:
    """Return `part` framed as one HTTP/1.1 chunk; built once per part object."""
    entry = _framed.get(id(part))
    if entry is not None and entry[0] is part:
        return entry[1]
    framed = b"%x\r\n%b\r\n" % (len(part), part)
    if len(_framed) >= _CACHE_SIZE:
        # Parts change every frame: the oldest entry is the one least likely to be sent again.
        del _framed[next(iter(_framed))]
    # The part is kept with its framing, so its id cannot be reused while the entry lives.
    _framed[id(part)] = (part, framed)
    return framed
