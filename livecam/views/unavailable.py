"""503 answers while something the request needs is down (the database, a full disk).

The database may restart or be unreachable for a while; requests that need it get 503 with
``Retry-After`` and a reason (JSON ``{"detail": ...}`` on machine paths, a themed page
elsewhere) instead of a bare 500, and everything recovers by itself once it is back.
"""

from __future__ import annotations

import errno
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

from livecam.access.middleware import DATABASE_ERRORS, is_machine_path

logger = logging.getLogger(__name__)

RETRY_AFTER = 5
"""Seconds a client is asked to wait before trying again."""
_LOG_EVERY = 10.0  # seconds: one warning per burst, not one per request


class _Throttle:
    """Log one line per interval with how many requests were refused meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = -_LOG_EVERY
        self._count = 0

    def warn(self, what: str, exc: BaseException) -> None:
        """Log a warning for this refusal unless one was logged within the interval."""
        with self._lock:
            self._count += 1
            now = time.monotonic()
            if now - self._last < _LOG_EVERY:
                return
            count, self._count, self._last = self._count, 0, now
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        logger.warning("%s (%s); %d request(s) answered 503", what, reason, count)


_THROTTLE = _Throttle()
_DISK_THROTTLE = _Throttle()

DISK_FULL_RETRY_AFTER = 30
"""Seconds a client is asked to wait when the disk is full (space comes back by a person)."""
_DISK_FULL_SQLSTATE = "53100"  # PostgreSQL's disk_full


def is_disk_full(exc: BaseException) -> bool:
    """Return True when a database error (or what it wraps) says the disk is full."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if getattr(seen, "sqlstate", None) == _DISK_FULL_SQLSTATE:
            return True
        # SQLite says "database or disk is full" (SQLITE_FULL); other drivers, ENOSPC's text.
        text = str(seen).lower()
        if "database or disk is full" in text or "no space left on device" in text:
            return True
        seen = seen.__cause__
    return False


def unavailable(request: HttpRequest, detail: str, retry_after: int = RETRY_AFTER) -> HttpResponse:
    """Return 503 with Retry-After: JSON on machine paths, the themed page elsewhere.

    The answer is expected while a dependency is down: it is logged by the caller (at most a
    warning), not by Django as an ERROR line per request.
    """
    response: HttpResponse
    if is_machine_path(request.path):
        response = JsonResponse({"detail": detail}, status=503)
    else:
        # No context processor may reach the database: the page names no user and no messages.
        context = {"detail": detail, "user": AnonymousUser(), "messages": []}
        html = render_to_string("livecam/unavailable.html", context, request=request)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own flag
    return response


def database_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """Return the 503 answer for a request that could not reach (or write to) the database."""
    if is_disk_full(exc):
        _DISK_THROTTLE.warn("the database cannot write: the disk is full", exc)
        detail = gettext("the disk is full; try again once space has been freed")
        return unavailable(request, detail, DISK_FULL_RETRY_AFTER)
    _THROTTLE.warn("the database is unavailable", exc)
    return unavailable(request, gettext("the database is unavailable; try again shortly"))


class DatabaseUnavailableMiddleware:
    """Answer a view that failed because the database is down with 503, not 500."""

    async_capable = True
    sync_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Pass the request on."""
        return await self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        """Return 503 for a database that cannot be reached; None lets Django answer 500."""
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None
