"""Error answers: JSON with a reason on machine paths, the usual pages elsewhere."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.csrf import csrf_failure as page_csrf_failure

from livecam.middleware import is_machine_path


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON for API, stream and snapshot paths."""
    if is_machine_path(request.path):
        detail = str(exception) if exception.args else "not found"
        return JsonResponse({"detail": detail}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON for machine paths (details only in the log)."""
    if is_machine_path(request.path):
        return JsonResponse({"detail": "internal server error"}, status=500)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 on a failed CSRF check: JSON for machine paths."""
    if is_machine_path(request.path):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return page_csrf_failure(request, reason)


def login_locked_out(request: HttpRequest, *args: Any) -> HttpResponse:
    """429 while too many failed logins lock this username and address out (django-axes)."""
    response = render(request, "livecam/locked_out.html", status=429)
    response["Retry-After"] = "60"
    return response


def client_address(request: HttpRequest) -> str:
    """Return the client address for login rate limiting (set by uvicorn, never by headers)."""
    return str(request.META.get("REMOTE_ADDR", ""))
