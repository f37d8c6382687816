"""The tokens page: a user's own API tokens, created (value shown once) and revoked."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from livecam.forms import TokenForm
from livecam.models import ApiToken


@require_http_methods(["GET", "POST"])
async def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; POST creates one and shows its value once."""
    user: Any = await request.auser()
    form = TokenForm(request.POST if request.method == "POST" else None)
    created: str | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, created = await sync_to_async(ApiToken.issue)(
                user, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
            form = TokenForm()
        else:
            status = 400
    listing = [token async for token in ApiToken.objects.filter(user=user)]
    now = timezone.now()
    context = {
        "form": form,
        "created": created,
        "tokens": [{"token": token, "state": _state(token, now)} for token in listing],
    }
    # The page may show a token's value: never cache it.
    response: HttpResponse = await sync_to_async(render)(
        request, "livecam/tokens.html", context, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
async def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens; 303 back to the tokens page."""
    user: Any = await request.auser()
    updated = await ApiToken.objects.filter(
        pk=token_id, user=user, revoked_at__isnull=True
    ).aupdate(revoked_at=timezone.now())
    if updated:
        await sync_to_async(messages.success)(request, _("Token revoked."))
    else:
        await sync_to_async(messages.error)(request, _("No such active token."))
    return HttpResponseRedirect(reverse("livecam:tokens"), status=303)


def _state(token: ApiToken, now: Any) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"
