"""The grid's tile stream (``tiles.mjpg``): small frames of many cameras on one connection."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from livecam import conf
from livecam.access import policy
from livecam.bus import get_bus
from livecam.errors import NotFound, json_error
from livecam.serving.admission import CAPS, RETRY_AFTER
from livecam.serving.asgi_handler import PartsResponse
from livecam.serving.guard import STREAMS, StreamAccess, stream_cap
from livecam.serving.tiles import MAX_TILES, TileStream
from livecam.views.access import NOT_FOUND, principal
from livecam.views.stream import (
    WIDTH_ERROR,
    mjpeg_response,
    positive_number,
    requested_width,
)

MAX_TILE_FPS = 30.0
DEFAULT_TILE_FPS = 10.0
"""Pictures per second and camera when the client does not say (a grid tile is small)."""

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


def _camera_ids(request: HttpRequest) -> list[str] | None:
    """Return the distinct camera ids asked for (``?ids=a,b``), None when there are too many."""
    names = [name.strip() for name in request.GET.get("ids", "").split(",") if name.strip()]
    if not names or len(names) > MAX_TILES:
        return None
    # Anything but a slug cannot name a camera: left out like any unknown id.
    return [name for name in dict.fromkeys(names) if _SLUG.match(name)]


@require_GET
async def tiles(request: HttpRequest) -> HttpResponse | PartsResponse:
    """Stream the cameras ``?ids=a,b,c`` as one multipart stream, each part with ``X-Camera``.

    ``?width=W`` picks the variant and ``?fps=F`` (default 10, at most 30) caps each camera's
    rate. Cameras the caller may not see are left out exactly like unknown ones; 404 when
    none is left. Cameras over a viewer cap are left out too; 503 when every one is.
    """
    camera_ids = _camera_ids(request)
    if camera_ids is None:
        return json_error(400, f"ids must name 1 to {MAX_TILES} cameras, separated by commas")
    max_fps = positive_number(request, "fps", MAX_TILE_FPS)
    if max_fps is None:
        return json_error(400, f"fps must be a number above 0 and at most {MAX_TILE_FPS:g}")
    width = requested_width(request)
    if width is None:
        return json_error(400, WIDTH_ERROR)
    who = await principal(request)
    visible = await policy.visible_among(who, camera_ids)
    if who is None or not visible:
        raise NotFound(NOT_FOUND)
    hub = get_bus().hub
    if hub.closed:
        return json_error(503, "server is shutting down", retry_after=5)
    key = ("user", who.user.pk)  # the whole grid counts as one stream toward the user's cap
    cap = stream_cap()
    if STREAMS.full(key, cap):
        return json_error(429, f"stream limit reached ({cap} open streams per user)", 10)
    # Checked last: admission reserves a place per camera that the stream claims when it starts.
    per_camera, total = int(conf.get("MAX_VIEWERS_PER_CAMERA")), int(conf.get("MAX_VIEWERS"))
    admitted, refused = [], ""
    for camera_id in visible:
        reason = CAPS.admit(hub, camera_id, per_camera, total)
        if reason is None:
            admitted.append(camera_id)
        else:
            refused = reason
    if not admitted:
        return json_error(503, refused, retry_after=RETRY_AFTER)

    async def still_allowed() -> bool:
        return await policy.may_still_watch_all(who, admitted)

    check_key = (who.key, "tiles", tuple(sorted(admitted)))
    stream = TileStream(
        hub,
        admitted,
        max_fps=max_fps or DEFAULT_TILE_FPS,
        keepalive=conf.get("KEEPALIVE_INTERVAL"),
        width=width,
        on_start=CAPS.claim,
        access=StreamAccess(key=key, check_key=check_key, check=still_allowed),
    )
    return mjpeg_response(stream)
