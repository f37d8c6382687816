"""Error pages in the site's own look (base template, translated), without internals."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

TEMPLATE = "livecam/error.html"

PAGES: dict[int, tuple[Promise, Promise]] = {
    400: (_("Bad request"), _("The server could not understand this request.")),
    403: (_("Not allowed"), _("You may not do this. Ask an admin if you need access.")),
    404: (
        _("Page not found"),
        _("There is nothing at this address. It may have been removed, or the link is wrong."),
    ),
    405: (_("Method not allowed"), _("This address does not take this kind of request.")),
    413: (_("Request too large"), _("What was sent is larger than the server accepts.")),
    429: (_("Too many requests"), _("Please wait a moment and try again.")),
    500: (
        _("Server error"),
        _("Something went wrong on the server. It has been logged; please try again later."),
    ),
}
"""Title and message of each status's page."""
_OTHER = (_("Error"), _("The request could not be completed."))
# The last resort when even the template fails (the same look is not possible then).
_BARE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>livecam</title></head>'
    "<body><h1>livecam</h1><p>Error {status}</p></body></html>"
)


def error_page_html(
    request: HttpRequest | None, status: int, message: str | None = None, title: str | None = None
) -> str:
    """Return the page of an error status; ``request`` None renders it without the user menu."""
    default_title, default_message = PAGES.get(status, _OTHER)
    context = {
        "status": status,
        "title": title or default_title,
        "message": message or default_message,
    }
    try:
        return loader.render_to_string(TEMPLATE, context, request=request)
    except Exception:
        if request is None:
            logger.exception("the error page could not be rendered")
            return _BARE.format(status=status)
        # The request's own context may be what fails (its session or user in a broken
        # database): the page without it.
        return error_page_html(None, status, message, title)


def error_page(
    request: HttpRequest | None, status: int, message: str | None = None, title: str | None = None
) -> HttpResponse:
    """Return the themed error page answer of ``status`` (message and title translated)."""
    return HttpResponse(error_page_html(request, status, message, title), status=status)
