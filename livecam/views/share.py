"""Share links: one camera's stream and snapshot for whoever holds the secret URL, view only."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_safe

from livecam.access import policy
from livecam.errors import NotFound
from livecam.models import Camera, ShareLink
from livecam.views.stream import serve_snapshot, serve_stream

NOT_FOUND = "no such share link"
"""Unknown, revoked and expired links, and those whose creator may no longer share, all get
this same answer."""


async def _usable_link(secret: str) -> ShareLink | None:
    if not secret.startswith(ShareLink.PREFIX) or len(secret) > 100:
        return None
    link = (
        await ShareLink.objects.filter(
            ShareLink.usable_filter(), secret_hash=ShareLink.hash_of(secret)
        )
        .select_related("camera")
        .afirst()
    )
    if link is None or not await policy.share_link_works(link):
        return None
    return link


async def _camera(secret: str) -> tuple[ShareLink, Camera]:
    link = await _usable_link(secret)
    if link is None:
        raise NotFound(NOT_FOUND)
    return link, link.camera


def _embeddable(response: HttpResponse | StreamingHttpResponse) -> None:
    # Share links exist to be embedded in another site's dashboard (<img src=...>).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"


@csrf_exempt  # GET only: a POST is answered 405, not a CSRF failure
@login_not_required
@require_GET
async def share_stream(request: HttpRequest, secret: str) -> HttpResponse | StreamingHttpResponse:
    """Stream the link's camera; the stream ends soon after the link is revoked or expires."""
    return await _share_stream(request, secret, video=False)


@csrf_exempt  # GET only: a POST is answered 405, not a CSRF failure
@login_not_required
@require_GET
async def share_stream_mp4(
    request: HttpRequest, secret: str
) -> HttpResponse | StreamingHttpResponse:
    """Stream the link's camera as fragmented MP4 (H.264), ending like ``share_stream``."""
    return await _share_stream(request, secret, video=True)


async def _share_stream(
    request: HttpRequest, secret: str, *, video: bool
) -> HttpResponse | StreamingHttpResponse:
    link, camera = await _camera(secret)
    link_id = link.pk

    async def still_valid() -> bool:
        fresh = await ShareLink.objects.filter(ShareLink.usable_filter(), pk=link_id).afirst()
        return fresh is not None and await policy.share_link_works(fresh)

    response = await serve_stream(
        request,
        camera,
        key=("share", link_id),
        check_key=("share", link_id),
        check=still_valid,
        video=video,
    )
    _embeddable(response)
    return response


@csrf_exempt  # GET only: a POST is answered 405, not a CSRF failure
@login_not_required
@require_safe  # HEAD too: monitors ask whether a snapshot is there
async def share_snapshot(request: HttpRequest, secret: str) -> HttpResponse:
    """Return the newest frame of the link's camera."""
    _link, camera = await _camera(secret)
    response = await serve_snapshot(request, camera)
    _embeddable(response)
    return response


@login_not_required
@require_GET
async def share_page(request: HttpRequest, secret: str) -> HttpResponse:
    """Show the link's camera alone: its name and the live picture, sized to the window."""
    _link, camera = await _camera(secret)
    context = {
        "title": camera.title,
        "stream_url": reverse("livecam:share_stream", args=[secret]),
        "video_url": reverse("livecam:share_stream_mp4", args=[secret]),
        "width": camera.width,
        "height": camera.height,
    }
    response: HttpResponse = await sync_to_async(render)(
        request, "livecam/share_page.html", context
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the secret is in this page's URL
    return response
