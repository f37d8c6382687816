"""The Python floor: a bare ASGI app with latest-frame fan-out of prebuilt parts, nothing else.

No Django, no auth, no metrics: this is the best a Python server can do on this machine, and
livecam's figures are reported as ratios to it. Frames are livecam's pattern, pre-encoded.
Run: FLOOR_WIDTH=640 FLOOR_HEIGHT=480 uvicorn bench.floor_asgi:app
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from bench.frames import pattern_jpegs

WIDTH = int(os.environ.get("FLOOR_WIDTH", "640"))
HEIGHT = int(os.environ.get("FLOOR_HEIGHT", "480"))
FPS = float(os.environ.get("FLOOR_FPS", "30"))

_JPEGS = pattern_jpegs(WIDTH, HEIGHT)


class _Slot:
    part: bytes = b""
    waiter: asyncio.Future[None] | None = None


_slot = _Slot()
_producer: asyncio.Task[None] | None = None


def _part(jpeg: bytes) -> bytes:
    head = b"Content-Type: image/jpeg\r\nContent-Length: %d\r\nX-Timestamp: %.6f\r\n\r\n" % (
        len(jpeg),
        time.time(),
    )
    return head + jpeg + b"\r\n--frame\r\n"


async def _produce() -> None:
    loop = asyncio.get_running_loop()
    period, due, index = 1.0 / FPS, loop.time(), 0
    while True:
        due += period
        await asyncio.sleep(max(0.0, due - loop.time()))
        _slot.part = _part(_JPEGS[index % len(_JPEGS)])
        index += 1
        waiter, _slot.waiter = _slot.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _producer
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                _producer = asyncio.get_running_loop().create_task(_produce())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"multipart/x-mixed-replace; boundary=frame")],
        }
    )
    await send({"type": "http.response.body", "body": b"--frame\r\n", "more_body": True})
    loop = asyncio.get_running_loop()
    sent = b""
    while True:
        if _slot.part is not sent:
            sent = _slot.part
            await send({"type": "http.response.body", "body": sent, "more_body": True})
            continue
        if _slot.waiter is None:
            _slot.waiter = loop.create_future()
        await asyncio.shield(_slot.waiter)
