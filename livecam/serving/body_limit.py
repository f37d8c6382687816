"""Refuse request bodies over their route's limit before anything reads them.

Django's ASGI handler reads a whole body, spooling it to a temporary file, before any
middleware runs: a gigabyte posted to the login page was read and written to disk before
CSRF refused it. This ASGI wrapper answers ``413`` from ``Content-Length`` alone, and reads a
chunked body only up to the limit. Requests without a body (every stream) pass untouched.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB = 1024
DEFAULT_LIMITS: dict[str, int] = {
    "": 256 * KIB,  # forms, the Django admin (Django's own DATA_UPLOAD_MAX_MEMORY_SIZE too)
    "/login/": 16 * KIB,
    "/api/": 64 * KIB,  # JSON
}
"""Largest body in bytes per path prefix; the longest matching prefix wins."""


def limit_for(path: str, limits: Mapping[str, int]) -> int:
    """Return the body limit of a path: the value of its longest matching prefix."""
    best = max((prefix for prefix in limits if path.startswith(prefix)), key=len, default="")
    return limits.get(best, DEFAULT_LIMITS[""])


class BodyLimit:
    """ASGI wrapper: ``413`` with a JSON ``detail`` for bodies over their route's limit."""

    def __init__(self, app: ASGIApp, limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request's body size; pass the request on, or answer 413."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked = _framing(scope["headers"])
        if length is None and not chunked:
            await self.app(scope, receive, send)  # no body: streams, pages, most requests
            return
        limit = limit_for(scope["path"], self.limits)
        if length is not None and length > limit:
            await _too_large(send, limit)
            return
        if length is not None:
            await self.app(scope, receive, send)  # the server delivers exactly `length` bytes
            return
        # Chunked: read up to the limit here (at most `limit` bytes held), then replay it.
        body, total = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left while sending
            total += len(message.get("body", b""))
            if total > limit:
                await _too_large(send, limit)
                return
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(body), receive), send)


def _framing(headers: list[tuple[bytes, bytes]]) -> tuple[int | None, bool]:
    """Return the request's Content-Length (None when absent) and whether it is chunked."""
    length: int | None = None
    chunked = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
        elif lowered == b"transfer-encoding":
            chunked = True
    return length, chunked


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a receive that gives the buffered body first, then the server's messages."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay


async def _too_large(send: Send, limit: int) -> None:
    """Answer 413 and close the connection (the unread body is never read)."""
    body = json.dumps({"detail": f"request body too large (at most {limit} bytes here)"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
