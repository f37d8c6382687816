"""Pages to manage one's API tokens and a camera's share links (values shown once)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from livecam.access import policy
from livecam.models import ApiToken, Camera, ShareLink
from livecam.views.access import get_visible_camera, principal, visible_cameras
from livecam.views.pages import _message, refuse


async def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    response: HttpResponse = await sync_to_async(render)(request, template, context)
    # A new token or link is shown once; no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


async def _user(request: HttpRequest) -> Any:
    who = await principal(request)
    if who is None or who.token is not None:
        # Tokens cannot mint tokens: a leaked token must not outlive its revocation.
        raise Http404("not found")
    return who.user


@require_http_methods(["GET", "POST"])
async def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; create one (its value is shown on this answer only)."""
    from livecam.forms import TokenForm

    user = await _user(request)
    choices = [(camera.id, camera.title) for camera in await visible_cameras(request)]
    new_token = ""
    if request.method == "POST":
        form = TokenForm(request.POST, camera_choices=choices)
        if form.is_valid():
            cameras = [c async for c in Camera.objects.filter(pk__in=form.cleaned_data["cameras"])]
            _token, new_token = await sync_to_async(ApiToken.issue)(
                user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires"],
                read_only=form.cleaned_data["read_only"],
                cameras=cameras,
            )
            form = TokenForm(camera_choices=choices)
    else:
        form = TokenForm(camera_choices=choices)
    listing = [
        token async for token in ApiToken.objects.filter(user=user).prefetch_related("cameras")
    ]
    context = {"form": form, "tokens": listing, "new_token": new_token}
    return await _page(request, "livecam/tokens.html", context)


@require_POST
async def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens; 303 back to the list."""
    user = await _user(request)
    updated = await ApiToken.objects.filter(
        pk=token_id, user=user, revoked_at__isnull=True
    ).aupdate(revoked_at=timezone.now())
    if not updated:
        raise Http404("no such token")
    await _message(request, _("Token revoked: it no longer works."))
    return HttpResponseRedirect(reverse("livecam:tokens"), status=303)


async def _shareable(request: HttpRequest, camera_id: str) -> Camera:
    camera = await get_visible_camera(request, camera_id)
    await _user(request)
    if not await policy.may_share(await principal(request), camera.id):
        raise PermissionError
    return camera


async def _forbidden(request: HttpRequest) -> HttpResponse:
    return await refuse(request, 403, _("Only admins may share cameras."))


@require_http_methods(["GET", "POST"])
async def shares(request: HttpRequest, camera_id: str) -> HttpResponse:
    """List a camera's share links; create one (its URLs are shown on this answer only)."""
    from livecam.forms import ShareForm

    try:
        camera = await _shareable(request, camera_id)
    except PermissionError:
        return await _forbidden(request)
    new_urls: tuple[str, str, str] | None = None
    form = ShareForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _link, secret = await sync_to_async(ShareLink.issue)(
            camera,
            label=form.cleaned_data["label"],
            created_by=await _user(request),
            expires_at=form.cleaned_data["expires"],
        )
        new_urls = (
            request.build_absolute_uri(reverse("livecam:share_page", args=[secret])),
            request.build_absolute_uri(reverse("livecam:share_stream", args=[secret])),
            request.build_absolute_uri(reverse("livecam:share_snapshot", args=[secret])),
        )
        form = ShareForm()
    links = [
        link async for link in ShareLink.objects.filter(camera=camera).select_related("created_by")
    ]
    for link in links:
        link.works = link.usable and await policy.share_link_works(link)  # type: ignore[attr-defined]
    context = {"camera": camera, "form": form, "links": links, "new_urls": new_urls}
    return await _page(request, "livecam/shares.html", context)


@require_POST
async def share_revoke(request: HttpRequest, camera_id: str, link_id: int) -> HttpResponse:
    """Revoke a share link of a camera; 303 back to its list."""
    try:
        camera = await _shareable(request, camera_id)
    except PermissionError:
        return await _forbidden(request)
    updated = await ShareLink.objects.filter(
        pk=link_id, camera=camera, revoked_at__isnull=True
    ).aupdate(revoked_at=timezone.now())
    if not updated:
        raise Http404("no such share link")
    await _message(request, _("Share link revoked: streams opened with it close within seconds."))
    return HttpResponseRedirect(reverse("livecam:shares", args=[camera.id]), status=303)
