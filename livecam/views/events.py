"""Server-Sent Events: camera state changes pushed to open pages and scripts."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse

from livecam import access, conf, control
from livecam.bus import get_bus
from livecam.bus.event import CameraEvent
from livecam.bus.hub import StatusListener
from livecam.views.access import principal

_HEARTBEAT = 15.0  # seconds: a comment line keeps proxies from closing an idle stream


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def _event_stream(request: HttpRequest) -> AsyncIterator[bytes]:
    hub = get_bus().hub
    listener = StatusListener()
    hub.listeners.add(listener)  # before the snapshot, so no change falls between the two
    try:
        who = await principal(request)
        cameras = await access.visible_cameras(who)
        visible = {camera.id for camera in cameras}
        yield b"retry: 2000\n\n"
        for camera in cameras:
            yield _event("camera", control.describe(camera))
        # Access is re-checked like a stream's: the page closes when the user is disabled or
        # logged out, stops hearing of cameras taken from them, and hears of ones given.
        interval = float(conf.get("ACCESS_RECHECK"))
        next_check = last_sent = time.monotonic()
        next_check += interval
        while not listener.closed:
            now = time.monotonic()
            wait = _HEARTBEAT if interval <= 0 else min(_HEARTBEAT, max(0.0, next_check - now))
            changes = await listener.get(wait)
            if who is not None and interval > 0 and time.monotonic() >= next_check:
                who = await access.refresh(who)
                if who is None:
                    return
                current = {camera.id: camera for camera in await access.visible_cameras(who)}
                for camera_id in sorted(current.keys() - visible):
                    yield _event("camera", control.describe(current[camera_id]))
                visible = set(current)
                next_check = time.monotonic() + interval
            sent = False
            for status in changes:
                if status.camera_id not in visible:
                    continue
                sent = True
                if isinstance(status, CameraEvent):
                    yield _event(status.kind, status.data)
                else:
                    yield _event("camera", control.describe_status(status))
            if sent:
                last_sent = time.monotonic()
            elif time.monotonic() - last_sent >= _HEARTBEAT:
                last_sent = time.monotonic()
                yield b": keep-alive\n\n"
    finally:
        hub.listeners.discard(listener)


async def events(request: HttpRequest) -> StreamingHttpResponse:
    """Stream ``camera`` events (the camera's JSON state) on changes, ``motion``/``recording``."""
    response = StreamingHttpResponse(_event_stream(request), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response
