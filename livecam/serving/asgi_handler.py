"""Django's ASGI handler with a direct send loop for MJPEG streams."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from typing import Any, Protocol

from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponseBase, StreamingHttpResponse

from livecam.serving.chunked import Connection, chunk, direct_connection
from livecam.serving.watchdog import SendGuard, SendWatchdog

Send = Callable[[Mapping[str, Any]], Awaitable[None]]


class PartSource(Protocol):
    """A stream the send loop can drive directly (see `livecam.serving.streaming.ViewerStream`)."""

    def start(self) -> bytes | None:
        """Return the first bytes (None: nothing to send yet)."""

    def next_part(self) -> bytes | None:
        """Return the next part, or None when the loop must await `wait`."""

    async def wait(self) -> bool:
        """Wait for the next change; False ends the stream."""

    def close(self) -> None:
        """Release the stream."""

    def parts(self) -> AsyncGenerator[bytes, None]:
        """Return the same stream as an async generator."""


class PartsResponse(StreamingHttpResponse):
    """A stream of ready-made multipart parts (bytes), sent as they are.

    Give it an async generator of parts, or a `PartSource`, which the handler drives
    without any generator in between.
    """

    def __init__(self, parts: AsyncGenerator[bytes, None] | PartSource, **kwargs: Any) -> None:
        self.source: PartSource | None = None
        if not isinstance(parts, AsyncGenerator):
            self.source = parts
            # Django's own iteration (a middleware replacing the content) gets a generator;
            # an unstarted one costs nothing when the direct loop is used instead.
            parts = parts.parts()
        super().__init__(parts, **kwargs)
        self.parts = parts


class LivecamASGIHandler(ASGIHandler):
    """Send `PartsResponse` parts straight to the server.

    Django's own loop passes every part through three more async generators, a bytes
    conversion and a chunking step: a fifth of the CPU per part with hundreds of viewers.
    Parts are already bytes of a bounded size, so none of that is needed here. Everything
    else (middleware, headers, cookies, closing) stays Django's. The send watchdog, when
    set, sees each send through a stamp on the stream's `SendGuard`.
    """

    watchdog: SendWatchdog | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Handle a connection; long-lived ones without a thread of their own."""
        if scope["type"] == "http" and long_lived(scope["path"]):
            # Django gives every request its own thread for sync code (and so its own
            # database connection), kept until the response ends: for streams and event
            # feeds that is one idle thread and one open connection per viewer (300 viewers
            # would exhaust PostgreSQL's default 100 connections). Their few sync calls run
            # on asgiref's one shared thread instead.
            await self.handle(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def send_response(self, response: HttpResponseBase, send: Send) -> None:
        """Send a response; parts of a `PartsResponse` go out one message each."""
        # Only when no middleware replaced the content (e.g. compression) in between.
        replaced = getattr(response, "_iterator", None) is not getattr(response, "parts", None)
        if not isinstance(response, PartsResponse) or replaced:
            await super().send_response(response, send)
            return
        parts = response.parts
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": _headers(response),
            }
        )
        watchdog = self.watchdog
        guard = watchdog.register(send) if watchdog is not None else SendGuard(send, None)
        clock = asyncio.get_running_loop().time
        try:
            if response.source is not None:
                await _send_source(response.source, send, guard, clock)
            else:
                async with aclosing(parts):
                    async for part in parts:
                        guard.started = clock()
                        await send({"type": "http.response.body", "body": part, "more_body": True})
                        guard.started = 0.0
            await send({"type": "http.response.body"})
        finally:
            if watchdog is not None:
                watchdog.unregister(guard)


async def _send_source(
    source: PartSource, send: Send, guard: SendGuard, clock: Callable[[], float]
) -> None:
    """Send a `PartSource` until it ends; release it however the loop ends."""
    connection = direct_connection(send)
    try:
        if connection is not None:
            await _write_source(source, connection, guard, clock)
            return
        part: bytes | None = source.start()
        while True:
            if part is None:
                if not await source.wait():
                    return
            else:
                guard.started = clock()
                await send({"type": "http.response.body", "body": part, "more_body": True})
                guard.started = 0.0
            part = source.next_part()
    finally:
        source.close()


async def _write_source(
    source: PartSource, connection: Connection, guard: SendGuard, clock: Callable[[], float]
) -> None:
    """Write a `PartSource` to uvicorn's transport, each part framed once for all viewers.

    The same steps as uvicorn's ``send`` for a body chunk: wait while the transport is
    paused (the watchdog sees that wait), stop once the client is gone, write.
    """
    flow, write = connection.flow, connection.transport.write
    _limit_send_buffer(connection, getattr(source, "send_buffer", 0))
    part: bytes | None = source.start()
    while True:
        if part is None:
            if not await source.wait():
                return
        else:
            if flow.write_paused and not connection.disconnected:
                guard.started = clock()
                await flow.drain()
                guard.started = 0.0
            if connection.disconnected:
                return
            write(chunk(part))
        part = source.next_part()


def _limit_send_buffer(connection: Connection, size: int) -> None:
    """Cap the kernel's send buffer of a stream whose bytes must not wait there for long.

    Linux grows a socket's send buffer up to megabytes: a slow H.264 viewer would then be
    seconds behind before the stream ever sees it fall behind (and skip to a keyframe).
    """
    if size <= 0:
        return
    sock = connection.transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
        except OSError:  # not a TCP socket (a test transport): nothing to cap
            pass


def long_lived(path: str) -> bool:
    """Return True for the paths whose responses stay open (streams, event feeds)."""
    return path.endswith(_LONG_LIVED)


_LONG_LIVED = (".mjpg", "/stream.mp4", "/api/events")


def _headers(response: HttpResponseBase) -> list[tuple[bytes, bytes]]:
    """Return the response's headers and cookies as ASGI header pairs (as Django does)."""
    headers = [(name.encode("ascii"), value.encode("latin1")) for name, value in response.items()]
    for cookie in response.cookies.values():
        headers.append((b"Set-Cookie", cookie.output(header="").encode("ascii").strip()))
    return headers
