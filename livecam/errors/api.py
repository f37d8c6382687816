"""django-ninja's side of the error path: whatever an API view raises is answered as JSON."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationErrorContext
from ninja.errors import ValidationError as InputError
from ninja.parser import Parser

from livecam.errors import json_error, not_found_detail, unauthorized

logger = logging.getLogger(__name__)

_MAX_NAME = 60
_MAX_DETAIL = 1000


class BodyRefusedError(ValueError):
    """A request body that is not plain JSON (the message says why, for the caller)."""


def _refuse_constant(name: str) -> None:
    raise BodyRefusedError(f"{name} is not a JSON number")


class StrictJSONParser(Parser):
    """JSON as RFC 8259 defines it: no NaN or Infinity (Python's json accepts them)."""

    def parse_body(self, request: HttpRequest) -> Any:
        """Return the parsed body; raise ValueError for anything that is not plain JSON."""
        return json.loads(request.body, parse_constant=_refuse_constant)


def _field(loc: tuple[Any, ...]) -> str:
    """Return the field a pydantic location names, without its source (body, query, path)."""
    return ".".join(str(part) for part in loc[1:])[:_MAX_NAME]


def validation_detail(errors: list[dict[str, Any]]) -> str:
    """Return a readable reason for invalid input: unknown fields first, then each bad field.

    Built from the field names and pydantic's messages only: the values sent are never echoed.
    """
    unknown: list[str] = []
    reasons: list[str] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        field = _field(loc)
        if error.get("type") == "extra_forbidden":
            unknown.append(repr(field))
        elif not field and loc[:1] == ("body",):
            reasons.append(
                "the request body is required (a JSON object)"
                if error.get("type") == "missing"
                else "the request body must be a JSON object"
            )
        else:
            message = str(error.get("msg", "is invalid"))
            if error.get("type") == "string_pattern_mismatch":
                # pydantic would quote the whole regular expression.
                message = "does not have the form given in /api/openapi.json"
            reasons.append(f"{field}: {message}" if field else message)
    if unknown:
        noun = "unknown field" if len(unknown) == 1 else "unknown fields"
        reasons.insert(0, f"{noun} {', '.join(unknown)}")
    return f"invalid request: {'; '.join(reasons)}"[:_MAX_DETAIL]


def _invalid(request: HttpRequest, exc: Any) -> HttpResponse:
    return json_error(400, validation_detail(exc.errors))


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return json_error(404, not_found_detail(exc))


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    # ninja's HttpError carries a message written for the caller (ours, or ninja's own such as
    # "Cannot parse request body").
    if exc.status_code == 401:
        return unauthorized(str(exc))
    detail = str(exc)
    cause = exc.__cause__
    if isinstance(cause, ValueError):  # ninja's "Cannot parse request body": say what is wrong
        reason = cause if isinstance(cause, BodyRefusedError) else "the body is not valid JSON"
        detail = f"invalid request: {reason}"
    response = json_error(exc.status_code, detail)
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


def _forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
    return json_error(403)


def _suspicious(request: HttpRequest, exc: Any) -> HttpResponse:
    logger.warning("refused a suspicious request: %s", type(exc).__name__)
    return json_error(413 if isinstance(exc, RequestDataTooBig) else 400)


def _unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    # Django's one 500 path takes it from here: the traceback logged once, the generic answer
    # (`livecam.views.errors.server_error`), the count in livecam_http_errors_total.
    raise exc


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error of ``api`` a ``{"detail": ...}`` answer without internals."""
    api.add_exception_handler(InputError, _invalid)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(PermissionDenied, _forbidden)
    api.add_exception_handler(SuspiciousOperation, _suspicious)
    api.add_exception_handler(Exception, _unexpected)


class LivecamAPI(NinjaAPI):
    """A NinjaAPI on livecam's error path; invalid input names fields as the client sent them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parser", StrictJSONParser())
        super().__init__(*args, **kwargs)
        install_error_handlers(self)

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> InputError:
        """Drop the view's parameter name from body fields ("changes.mask" is just "mask")."""
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            single = getattr(context.model, "__read_from_single_attr__", None)
            for error in super().validation_error_from_error_contexts([context]).errors:
                loc = tuple(error.get("loc", ()))
                if single and loc[:2] == ("body", single):
                    error["loc"] = ("body", *loc[2:])
                errors.append(error)
        return InputError(errors)
