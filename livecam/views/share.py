"""Share links: one camera's stream and snapshot for whoever holds the secret URL, view only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from livecam.models import Camera, ShareLink
from livecam.views.stream import serve_snapshot, serve_stream

NOT_FOUND = "no such share link"
"""Unknown, revoked and expired links all get this same answer."""


async def _usable_link(secret: str) -> ShareLink | None:
    if not secret.startswith(ShareLink.PREFIX) or len(secret) > 100:
        return None
    return (
        await ShareLink.objects.filter(
            ShareLink.usable_filter(), secret_hash=ShareLink.hash_of(secret)
        )
        .select_related("camera")
        .afirst()
    )


async def _camera(secret: str) -> tuple[ShareLink, Camera]:
    link = await _usable_link(secret)
    if link is None:
        raise Http404(NOT_FOUND)
    return link, link.camera


def _embeddable(response: HttpResponse | StreamingHttpResponse) -> None:
    # Share links exist to be embedded in another site's dashboard (<img src=...>).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"


@login_not_required
@require_GET
async def share_stream(request: HttpRequest, secret: str) -> HttpResponse | StreamingHttpResponse:
    """Stream the link's camera; the stream ends soon after the link is revoked or expires."""
    link, camera = await _camera(secret)
    link_id = link.pk

    async def still_valid() -> bool:
        return await ShareLink.objects.filter(ShareLink.usable_filter(), pk=link_id).aexists()

    response = await serve_stream(
        request, camera, key=("share", link_id), check_key=("share", link_id), check=still_valid
    )
    _embeddable(response)
    return response


@login_not_required
@require_GET
async def share_snapshot(request: HttpRequest, secret: str) -> HttpResponse:
    """Return the newest frame of the link's camera."""
    _link, camera = await _camera(secret)
    response = await serve_snapshot(request, camera)
    _embeddable(response)
    return response
