"""Raw HTTP/1.1 requests over asyncio streams: the request target goes out byte for byte.

httpx (like every well-behaved client) normalises ``..``, refuses NUL and re-encodes
non-UTF-8 bytes; attackers do not. Responses are parsed with h11 (uvicorn's own parser for
the other side), a streaming body is cut after ``limit`` bytes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import h11


@dataclass
class RawAnswer:
    """A response: status (0 when the server closed without one), headers, (a prefix of) body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """Return the Content-Type header, or ''."""
        return self.headers.get("content-type", "")


def request_bytes(
    method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> bytes:
    """Return one request exactly as given (no validation of method or target)."""
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    if body or method in (b"POST", b"PUT", b"PATCH"):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def send_raw(
    port: int, method: bytes, raw: bytes, limit: int = 65536, timeout: float = 10
) -> RawAnswer:
    """Send the request bytes ``raw`` to 127.0.0.1:port and return the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # h11 must believe it sent the request (for HEAD framing); the real bytes are ours.
    parser = h11.Connection(h11.CLIENT)
    parser.send(
        h11.Request(
            method="HEAD" if method == b"HEAD" else "GET", target="/", headers=[("Host", "x")]
        )
    )
    parser.send(h11.EndOfMessage())
    status, headers, body = 0, {}, b""
    try:
        writer.write(raw)
        await writer.drain()
        async with asyncio.timeout(timeout):
            while True:
                event = parser.next_event()
                if event is h11.NEED_DATA:
                    parser.receive_data(await reader.read(65536))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                    headers = {k.decode().lower(): v.decode("latin-1") for k, v in event.headers}
                elif isinstance(event, h11.Data):
                    body += bytes(event.data)
                    if len(body) >= limit:
                        break
                elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                    break
    except (ConnectionError, h11.RemoteProtocolError):
        pass  # the server may refuse a request by closing: status stays what was read
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass
    return RawAnswer(status, headers, body)
