"""Server-Sent Events: camera state changes pushed to open pages and scripts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse

from livecam import control
from livecam.bus import get_bus
from livecam.bus.event import CameraEvent
from livecam.bus.hub import StatusListener
from livecam.views.access import visible_cameras

_HEARTBEAT = 15.0  # seconds: a comment line keeps proxies from closing an idle stream


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def _event_stream(request: HttpRequest) -> AsyncIterator[bytes]:
    hub = get_bus().hub
    listener = StatusListener()
    hub.listeners.add(listener)  # before the snapshot, so no change falls between the two
    try:
        cameras = await visible_cameras(request)
        visible = {camera.id for camera in cameras}
        yield b"retry: 2000\n\n"
        for camera in cameras:
            yield _event("camera", control.describe(camera))
        while not listener.closed:
            changes = await listener.get(_HEARTBEAT)
            if not changes:
                yield b": keep-alive\n\n"
                continue
            for status in changes:
                if status.camera_id not in visible:
                    continue
                if isinstance(status, CameraEvent):
                    yield _event(status.kind, status.data)
                else:
                    yield _event("camera", control.describe_status(status))
    finally:
        hub.listeners.discard(listener)


async def events(request: HttpRequest) -> StreamingHttpResponse:
    """Stream ``camera`` events (the camera's JSON state) on changes, ``motion``/``recording``."""
    response = StreamingHttpResponse(_event_stream(request), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response
