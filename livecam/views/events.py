"""Server-Sent Events: camera state changes pushed to open pages and scripts."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, StreamingHttpResponse

from livecam import conf, control
from livecam.access import policy
from livecam.access.fallback import grace_seconds
from livecam.bus import get_bus
from livecam.bus.event import CameraEvent
from livecam.bus.hub import StatusListener
from livecam.models import Camera
from livecam.serving.guard import fresh_connection
from livecam.views.access import for_person, principal

logger = logging.getLogger(__name__)

_STOPPED = ("stopping", "off")
_HEARTBEAT = 15.0  # seconds: a comment line keeps proxies from closing an idle stream


async def _visible_now(who: policy.Principal) -> tuple[policy.Principal | None, dict[str, Camera]]:
    """Return the principal loaded afresh (None: its credentials are gone) and its cameras."""
    fresh = await policy.refresh(who)
    if fresh is None:
        return None, {}
    return fresh, {camera.id: camera for camera in await policy.visible_cameras(fresh)}


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def _event_stream(request: HttpRequest) -> AsyncIterator[bytes]:
    hub = get_bus().hub
    listener = StatusListener()
    hub.listeners.add(listener)  # before the snapshot, so no change falls between the two
    try:
        who = await principal(request)
        cameras = await policy.visible_cameras(who)
        admin = await policy.may_see_sources(who)
        visible = {camera.id for camera in cameras}
        hidden: set[str] = set()
        yield b"retry: 2000\n\n"
        for camera in cameras:
            yield _event("camera", for_person(control.describe(camera), admin))
        # Access is re-checked like a stream's: the page closes when the user is disabled or
        # logged out, stops hearing of cameras taken from them, and hears of ones given. A
        # status of a camera not (yet) visible re-checks at once: it may have just been added.
        interval = float(conf.get("ACCESS_RECHECK"))
        next_check = last_sent = confirmed_at = time.monotonic()
        next_check += interval
        while not listener.closed:
            now = time.monotonic()
            wait = _HEARTBEAT if interval <= 0 else min(_HEARTBEAT, max(0.0, next_check - now))
            changes = await listener.get(wait)
            seen = {status.camera_id for status in changes}
            # A camera stopping may have been removed: look again then too (cheap, rare).
            stopped = any(getattr(status, "state", "") in _STOPPED for status in changes)
            unknown = bool(seen - visible - hidden) or stopped
            due = interval > 0 and time.monotonic() >= next_check
            if who is not None and (due or unknown):
                next_check = time.monotonic() + interval
                try:
                    who, current = await fresh_connection(functools.partial(_visible_now, who))
                except DatabaseError as exc:
                    # Not a "no": keep what this page may see for the grace time, then end.
                    if time.monotonic() - confirmed_at > grace_seconds():
                        logger.warning("events: the database is unreachable; closing the feed")
                        return
                    logger.warning("events: access re-check cannot reach the database: %s", exc)
                else:
                    if who is None:
                        return
                    confirmed_at = time.monotonic()
                    for camera_id in sorted(current.keys() - visible):
                        described = control.describe(current[camera_id])
                        yield _event("camera", for_person(described, admin))
                    for camera_id in sorted(visible - current.keys()):
                        yield _event("camera-removed", {"id": camera_id})
                    visible = set(current)
                    # Cameras found hidden wait for the next periodic check (no query per status).
                    hidden = set() if due else hidden | (seen - visible)
            sent = False
            for status in changes:
                if status.camera_id not in visible:
                    continue
                sent = True
                if isinstance(status, CameraEvent):
                    yield _event(status.kind, status.data)
                else:
                    yield _event("camera", for_person(control.describe_status(status), admin))
            if sent:
                last_sent = time.monotonic()
            elif time.monotonic() - last_sent >= _HEARTBEAT:
                last_sent = time.monotonic()
                yield b": keep-alive\n\n"
    finally:
        hub.listeners.discard(listener)


async def events(request: HttpRequest) -> StreamingHttpResponse:
    """Stream ``camera`` state, ``camera-removed``, ``motion``, ``recording``, ``continuous``."""
    response = StreamingHttpResponse(_event_stream(request), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response
