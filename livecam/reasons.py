"""Capture error reasons as people read them: translated, and without source addresses for most.

Capture writes each reason once, in English, with the source's address in it (``cannot reach
http://10.0.0.5/cam: timed out``): it crosses the bus as text and is logged as is. Pages and the
API show it through :func:`present`, which translates the reasons capture knows and hides the
address (URL, device or file path) from everyone but admins: where a camera's source lives is
admin knowledge, like the source setting itself.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import gettext, gettext_noop

_ADDRESS = r"(?P<address>\S+)"
KNOWN: tuple[str, ...] = (
    gettext_noop("file not found: %(address)s"),
    gettext_noop("cannot read video file: %(address)s (not a video, or damaged)"),
    gettext_noop("cannot read %(address)s: %(why)s"),
    gettext_noop("not a regular file: %(address)s"),
    gettext_noop("the video file is empty: %(address)s"),
    gettext_noop("file not readable: %(address)s"),
    gettext_noop("no frames could be read from %(address)s (damaged or truncated?)"),
    gettext_noop("files must be under %(dirs)s"),
    gettext_noop("cannot reach %(address)s: %(why)s"),
    gettext_noop("%(address)s answered HTTP %(why)s"),
    gettext_noop("%(address)s stalled (no frame for %(seconds)s s)"),
    gettext_noop("%(address)s stopped: %(why)s"),
    gettext_noop("cannot open %(address)s (unreachable, refused or not video)"),
    gettext_noop("no frame from %(address)s (stream ended or stalled)"),
    gettext_noop("cannot open %(address)s (busy, or not a video capture device)"),
    gettext_noop("no camera at %(address)s (unplugged?)"),
    gettext_noop("no camera at %(address)s"),
    gettext_noop("cannot open %(address)s: %(why)s"),
    gettext_noop("%(address)s is not a camera device"),
    gettext_noop("%(address)s is busy (another program uses it)"),
    gettext_noop("%(address)s sends only corrupt frames"),
    gettext_noop("camera unplugged (%(address)s is gone)"),
    gettext_noop("no frame from %(address)s (busy, or unsupported format?)"),
    gettext_noop("%(address)s stopped delivering frames"),
    gettext_noop("source failed"),
)
"""The reasons capture writes, as msgids; %(address)s is the source's address."""

_WORDS = {
    "timed out": gettext_noop("timed out"),
    "connection refused": gettext_noop("connection refused"),
    "unknown host": gettext_noop("unknown host"),
}
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_PATH = re.compile(r"(?<![\w.])/(?:[\w.@%+=~-]+/?)+")


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    compiled = []
    for msgid in KNOWN:
        pattern = re.escape(msgid).replace(r"%\(address\)s", _ADDRESS)
        pattern = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", pattern)
        compiled.append((re.compile(pattern), msgid))
    return tuple(compiled)


def hide_addresses(text: str) -> str:
    """Return ``text`` with URLs and absolute paths replaced by a neutral word."""
    hidden = gettext("the source")
    return _PATH.sub(hidden, _URL.sub(hidden, text))


def present(error: str, see_sources: bool) -> str:
    """Return a capture error as shown to a person: translated, addresses only for admins."""
    if not error:
        return ""
    for pattern, msgid in _patterns():
        match = pattern.fullmatch(error)
        if match is None:
            continue
        values = dict(match.groupdict())
        if "why" in values:
            values["why"] = gettext(_WORDS.get(values["why"], values["why"]))
        if "address" in values and not see_sources:
            values["address"] = gettext("the source")
        if "dirs" in values and not see_sources:
            values["dirs"] = gettext("the allowed folders")
        return gettext(msgid) % values
    return error if see_sources else hide_addresses(error)
