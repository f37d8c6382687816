"""The one error path: JSON ``{"detail": ...}`` answers, public 404 messages, machine paths.

Every JSON error of livecam is built by `json_error`. A message reaches the caller only when
livecam wrote it for the caller (`NotFound`, ninja's ``HttpError``, a view's own answer);
anything else (Django's resolver, a library, an exception) gets the status's generic message,
and details stay in the log. See docs/architecture.md, "Errors".
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse

MESSAGES = {
    400: "bad request",
    401: "authentication required",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    406: "not acceptable",
    409: "conflict",
    411: "length required",
    413: "request body too large",
    414: "request URI too long",
    415: "unsupported media type",
    416: "range not satisfiable",
    422: "invalid request",
    429: "too many requests",
    431: "request header fields too large",
    500: "internal server error",
    501: "not implemented",
    503: "service unavailable",
}
"""The generic message of each error status, used whenever no public message exists."""

_MACHINE_SUFFIXES = (".mjpg", ".jpg", ".json", ".mp4")
_MACHINE_PREFIXES = ("/api/", "/metrics", "/healthz")


class NotFound(Http404):
    """A 404 whose message livecam wrote for the caller ("no such camera").

    A plain ``Http404`` (from Django, the URL resolver or a library) may carry internals, such
    as the URL patterns tried or a file path: its caller only reads "not found".
    """


def message_for(status: int) -> str:
    """Return the generic message of an error status."""
    return MESSAGES.get(status) or ("client error" if status < 500 else "server error")


def not_found_detail(exception: BaseException | None) -> str:
    """Return what a 404 may say: a `NotFound`'s own message, else "not found"."""
    if isinstance(exception, NotFound) and exception.args and isinstance(exception.args[0], str):
        return exception.args[0]
    return message_for(404)


def json_error(
    status: int, detail: str | None = None, retry_after: int | None = None
) -> JsonResponse:
    """Return the JSON error answer ``{"detail": ...}``, with ``Retry-After`` when given."""
    response = JsonResponse({"detail": detail or message_for(status)}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    if status == 503:
        # A deliberate answer (camera off, no frame yet, a cap), not a server fault: Django
        # would log every one as an ERROR line.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def no_content() -> HttpResponse:
    """Return the empty 204 answer: no body, so no Content-Type (ninja would send its JSON one)."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response


def unauthorized(detail: str = "authentication required") -> JsonResponse:
    """Return the 401 JSON answer with a Bearer challenge."""
    response = json_error(401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="livecam"'
    return response


def is_machine_path(path: str) -> bool:
    """Return True for API, stream, snapshot, metrics and health paths (JSON, not pages)."""
    return path.startswith(_MACHINE_PREFIXES) or path.endswith(_MACHINE_SUFFIXES)
