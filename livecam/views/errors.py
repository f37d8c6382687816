"""Django's error handlers: JSON ``{"detail": ...}`` on machine paths, themed pages elsewhere.

Nothing here shows what went wrong inside: Django's own messages (the URL patterns tried, a
file path, an exception) stay in the log. See `livecam.errors`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from livecam.errors import is_machine_path, json_error, not_found_detail
from livecam.errors.pages import error_page


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 (413 for a body over the size limit)."""
    status = 413 if isinstance(exception, RequestDataTooBig) else 400
    if is_machine_path(request.path):
        return json_error(status)
    return error_page(request, status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 from ``PermissionDenied``."""
    if is_machine_path(request.path):
        return json_error(403)
    return error_page(request, 403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: a `livecam.errors.NotFound` says what is missing, anything else only "not found"."""
    if is_machine_path(request.path):
        return json_error(404, not_found_detail(exception))
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the generic answer; the traceback is in the log (Django logged it once)."""
    if is_machine_path(request.path):
        return json_error(500)
    # Without the request's context: its session or user may be what just failed.
    return error_page(None, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 on a failed CSRF check."""
    if is_machine_path(request.path):
        return json_error(403, f"CSRF check failed: {reason}")
    message = _(
        "The form could not be sent: its security token is missing or expired. Reload the "
        "page and try again (this site needs cookies)."
    )
    return error_page(request, 403, message, _("Form expired"))


def login_locked_out(request: HttpRequest, *args: Any) -> HttpResponse:
    """429 while too many failed logins lock this username and address out (django-axes)."""
    response = render(request, "livecam/locked_out.html", status=429)
    response["Retry-After"] = "60"
    return response


def client_address(request: HttpRequest) -> str:
    """Return the client address for login rate limiting (set by uvicorn, never by headers)."""
    return str(request.META.get("REMOTE_ADDR", ""))
