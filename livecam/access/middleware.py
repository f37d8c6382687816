"""Request middleware: bearer tokens, login required (401 for machines), security headers."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.contrib.auth import middleware as auth_middleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import timezone

from livecam.access import fallback

# Re-exported: callers of the access layer have always found them here.
from livecam.errors import is_machine_path as is_machine_path
from livecam.errors import unauthorized as unauthorized
from livecam.models import ApiToken

_CSP = (
    # media-src blob: lets the camera page's player attach a MediaSource (MSE needs a blob URL).
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
    "script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
_LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)

DATABASE_ERRORS = (OperationalError, InterfaceError)
"""What a database that is down or unreachable raises (answered 503, see views.unavailable)."""

AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


async def resolve_token(raw: str) -> ApiToken | None:
    """Return the usable token with this raw value (and its user), or None."""
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
        return None
    token = await (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_of(raw))
        .afirst()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
            await ApiToken.objects.filter(pk=token.pk).aupdate(last_used_at=now)
    return token


class TokenAuthMiddleware:
    """Authenticate ``Authorization: Bearer <token>`` requests as the token's user.

    A bearer request ignores any session: it is authenticated by the token alone, so it
    needs no CSRF token (a cross-site page cannot set this header without CORS consent).
    """

    async_capable = True
    sync_capable = False

    def __init__(self, get_response: AsyncGetResponse) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Authenticate a bearer request, or pass the request on untouched."""
        header = request.headers.get("Authorization", "")
        # Tokens are for scripts: on pages and the Django admin the header is ignored (they
        # take sessions only), so a token's scope (read-only, some cameras) cannot be
        # sidestepped there, and public pages (/healthz, login) answer as usual.
        if header[:7].lower() == "bearer " and is_machine_path(request.path):
            try:
                token = await resolve_token(header[7:].strip())
            except DATABASE_ERRORS as exc:
                if not fallback.may_answer_from_memory(_view_of(request)):
                    from livecam.views.unavailable import database_unavailable

                    return database_unavailable(request, exc)
                # Unauthenticated on purpose: the view checks the token's digest against
                # remembered access (a snapshot, see access.fallback).
                request._livecam_database_error = exc  # type: ignore[attr-defined]
                return await self.get_response(request)
            if token is None:
                return unauthorized("invalid, expired or revoked token")
            user = token.user
            request.user = user
            request.auth_token = token  # type: ignore[attr-defined]
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]

            async def auser() -> Any:
                return user

            request.auser = auser
        return await self.get_response(request)


def _view_of(request: HttpRequest) -> Any:
    try:
        return resolve(request.path_info).func
    except Resolver404:
        return None


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Require login everywhere; machines get 401 JSON instead of a redirect to the login page."""

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        """Let public views through untouched; 503 when the user cannot be looked up."""
        # Public views first: /healthz and the login page must not need the database.
        if not getattr(view_func, "login_required", True):
            return None
        failed = getattr(request, "_livecam_database_error", None)
        if failed is None:
            try:
                return super().process_view(request, view_func, view_args, view_kwargs)
            except DATABASE_ERRORS as exc:
                failed = request._livecam_database_error = exc  # type: ignore[attr-defined]
        if fallback.may_answer_from_memory(view_func):
            return None  # the view checks the credentials against remembered access
        from livecam.views.unavailable import database_unavailable

        return database_unavailable(request, failed)

    def handle_no_permission(  # type: ignore[override]
        self, request: HttpRequest, view_func: Any
    ) -> HttpResponseBase:
        """Answer 401 on machine paths, redirect to login on pages."""
        if is_machine_path(request.path):
            return unauthorized()
        return super().handle_no_permission(request, view_func)


class SecurityHeadersMiddleware:
    """Add a strict CSP everywhere, and no-store/same-origin on camera data."""

    async_capable = True
    sync_capable = False

    def __init__(self, get_response: AsyncGetResponse) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Add the headers to the response."""
        response = await self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        if is_machine_path(request.path):
            response.headers["Cache-Control"] = "no-store"
            # Share links set "cross-origin" themselves: embedding them is their purpose.
            response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
