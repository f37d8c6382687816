"""The outermost middleware: every error answer gets its form (JSON or themed page) and a count."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from livecam.errors import is_machine_path, json_error, message_for
from livecam.errors.pages import error_page_html
from livecam.metrics import HTTP_ERRORS

AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


class ErrorAnswerMiddleware:
    """Answer errors on machine paths as ``{"detail": ...}`` JSON, bare page errors as pages.

    Views and handlers already answer their own errors so; this catches the rest, which comes
    from Django and libraries: 405 from ``require_GET`` or ninja ("Method not allowed" as
    text/html), empty 4xx answers, Django's debug pages on API paths. It is first in
    MIDDLEWARE, so it also sees the 500 of an exception raised in any other middleware.
    """

    async_capable = True
    sync_capable = False

    def __init__(self, get_response: AsyncGetResponse) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Pass the request on; count and, where needed, reshape an error answer."""
        response = await self.get_response(request)
        status = response.status_code
        if status < 400:
            return response
        HTTP_ERRORS.labels(status=str(status)).inc()
        if is_machine_path(request.path):
            if not response.get("Content-Type", "").startswith("application/json"):
                return _as_json(response)
        elif isinstance(response, HttpResponse) and not response.content:
            html = await sync_to_async(error_page_html)(request, status)
            _replace_body(response, html.encode(), "text/html; charset=utf-8")
        return response


def _as_json(response: HttpResponseBase) -> HttpResponseBase:
    """Return the error with its body replaced by the generic JSON message of its status."""
    body = json.dumps({"detail": message_for(response.status_code)}).encode()
    if isinstance(response, HttpResponse):
        _replace_body(response, body, "application/json")
        return response
    # A streaming error (none of livecam's, but a library's might be): answer anew, keeping
    # headers such as Allow, Retry-After and WWW-Authenticate.
    fresh = json_error(response.status_code)
    for name, value in response.items():
        if name.lower() not in ("content-type", "content-length", "content-encoding"):
            fresh[name] = value
    fresh.cookies = response.cookies
    return fresh


def _replace_body(response: HttpResponse, body: bytes, content_type: str) -> None:
    response.content = body
    response["Content-Type"] = content_type
    if "Content-Length" in response:
        response["Content-Length"] = str(len(body))
    if "Content-Encoding" in response:
        del response["Content-Encoding"]
