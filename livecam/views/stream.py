"""The MJPEG stream and the snapshot of one camera."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Hashable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_safe

from livecam import conf
from livecam.access import policy
from livecam.access.fallback import answers_from_memory
from livecam.bus import get_bus
from livecam.errors import NotFound, json_error
from livecam.frames import CONTENT_TYPE
from livecam.models import Camera
from livecam.serving.admission import CAPS, RETRY_AFTER
from livecam.serving.asgi_handler import PartSource, PartsResponse
from livecam.serving.guard import STREAMS, Check, StreamAccess, stream_cap
from livecam.serving.mp4 import CONTENT_TYPE as MP4_TYPE
from livecam.serving.mp4 import Mp4Stream
from livecam.serving.streaming import ViewerStream
from livecam.serving.variants import WIDTHS, bucket, scaled
from livecam.views.access import NOT_FOUND, camera_for_snapshot, get_visible_camera, principal

_MAX_FPS = 120.0
_MAX_WIDTH = 7680
WIDTH_ERROR = f"width must be a whole number from {WIDTHS[0]} to {_MAX_WIDTH}"
"""The answer to a bad ``?width=``."""


def positive_number(request: HttpRequest, name: str, upper: float) -> float | None:
    """Return the query parameter as a number in (0, upper], 0 when absent, None when bad."""
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0 < value <= upper else None


def requested_width(request: HttpRequest) -> int | None:
    """Return the variant width asked for (0 for full size), None when the value is bad."""
    raw = request.GET.get("width")
    if raw is None or raw == "":
        return 0
    if not raw.isdigit() or not WIDTHS[0] <= int(raw) <= _MAX_WIDTH:
        return None
    return bucket(int(raw))


@require_GET
async def stream(
    request: HttpRequest, camera_id: str, video: bool = False
) -> HttpResponse | PartsResponse:
    """Stream a camera as multipart/x-mixed-replace JPEG parts (``?fps=N`` caps the rate)."""
    camera = await get_visible_camera(request, camera_id)
    who = await principal(request)
    if who is None:
        raise NotFound(NOT_FOUND)

    async def still_allowed() -> bool:
        return await policy.may_still_watch(who, camera.id)

    return await serve_stream(
        request,
        camera,
        key=("user", who.user.pk),
        check_key=(who.key, camera.id),
        check=still_allowed,
        video=video,
    )


@require_GET
async def stream_mp4(request: HttpRequest, camera_id: str) -> HttpResponse | PartsResponse:
    """Stream a camera as fragmented MP4 (H.264) that never ends."""
    return await stream(request, camera_id, video=True)


async def serve_stream(
    request: HttpRequest,
    camera: Camera,
    *,
    key: Hashable,
    check_key: Hashable,
    check: Check,
    video: bool = False,
) -> HttpResponse | PartsResponse:
    """Answer a stream request for a camera the caller may watch (``video``: stream.mp4).

    ``key`` is what the per-user cap counts (a user, a share link); ``check`` is asked every
    ACCESS_RECHECK seconds whether the caller may still watch, and ends the stream if not.
    """
    max_fps = positive_number(request, "fps", _MAX_FPS)
    if max_fps is None:
        return json_error(400, f"fps must be a number above 0 and at most {_MAX_FPS:g}")
    width = requested_width(request)
    if width is None:
        return json_error(400, WIDTH_ERROR)
    hub = get_bus().hub
    if hub.closed:
        return json_error(503, "server is shutting down", retry_after=5)
    cap = stream_cap()
    if STREAMS.full(key, cap):
        return json_error(429, f"stream limit reached ({cap} open streams per user)", 10)
    # Checked last: admission reserves a place that the stream claims when it starts.
    refused = CAPS.admit(
        hub, camera.id, int(conf.get("MAX_VIEWERS_PER_CAMERA")), int(conf.get("MAX_VIEWERS"))
    )
    if refused is not None:
        return json_error(503, refused, retry_after=RETRY_AFTER)
    access = StreamAccess(key=key, check_key=check_key, check=check)
    if video:
        return mp4_response(
            Mp4Stream(hub, camera.id, width=width, on_start=CAPS.claim, access=access)
        )
    viewer = ViewerStream(
        hub,
        camera.id,
        max_fps=max_fps,
        keepalive=conf.get("KEEPALIVE_INTERVAL"),
        width=width,
        on_start=CAPS.claim,
        access=access,
    )
    return mjpeg_response(viewer)


def mp4_response(source: PartSource) -> PartsResponse:
    """Return the fragmented-MP4 response of a stream, uncached and unbuffered by proxies."""
    response = PartsResponse(source, content_type=MP4_TYPE)
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


def mjpeg_response(source: PartSource) -> PartsResponse:
    """Return the multipart response of a stream, uncached and unbuffered by proxies."""
    response = PartsResponse(source, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each part on at once
    return response


@answers_from_memory
@require_safe  # HEAD too: monitors ask whether a snapshot is there
async def snapshot(request: HttpRequest, camera_id: str) -> HttpResponse:
    """Return the newest frame as one JPEG, waiting briefly for a fresh one if needed."""
    return await serve_snapshot(request, await camera_for_snapshot(request, camera_id))


async def serve_snapshot(request: HttpRequest, camera: Camera) -> HttpResponse:
    """Answer a snapshot request for a camera the caller may see."""
    width = requested_width(request)
    if width is None:
        return json_error(400, WIDTH_ERROR)
    if not camera.enabled:
        return json_error(503, "camera is off", retry_after=5)
    hub = get_bus().hub
    slot = hub.slot(camera.id)
    stale_after = conf.get("STALE_AFTER")

    def fresh() -> bool:
        return (
            slot.live
            and slot.frame is not None
            and (time.time() - slot.frame.captured_at < stale_after)
        )

    if not fresh():
        # Count as a viewer while waiting, so an on-demand camera opens its source.
        hub.add_viewer(camera.id)
        try:
            async with asyncio.timeout(conf.get("SNAPSHOT_TIMEOUT")):
                while not fresh() and not slot.closed:
                    await slot.wait()
        except TimeoutError:
            pass
        finally:
            hub.remove_viewer(camera.id)
    frame = slot.frame
    if not fresh() or frame is None:
        reason = slot.status.error or f"camera is {slot.status.state}"
        return json_error(503, f"no frame available: {reason}", retry_after=2)
    if width and width < frame.width:
        if hub.variants is not None:
            frame = await hub.variants.still(frame, width)
        else:
            frame = await asyncio.get_running_loop().run_in_executor(None, scaled, frame, width)
    response = HttpResponse(frame.jpeg, content_type="image/jpeg")
    response["X-Timestamp"] = f"{frame.captured_at:.6f}"
    response["Content-Disposition"] = f'inline; filename="{camera.id}.jpg"'
    return response
