"""Dates as pages show them: one format per language with the time zone, plus relative times."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

RELATIVE_WITHIN = dt.timedelta(days=30)
"""Beyond this, "3 months ago" says less than the date itself."""


def absolute(value: dt.datetime) -> str:
    """Return the moment in the current time zone, in the language's one date-time format."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def relative(value: dt.datetime, now: dt.datetime) -> str:
    """Return "3 minutes ago" / "in 2 days" / "just now"; "" when too far to help."""
    delta = value - now
    if abs(delta) < dt.timedelta(minutes=1):
        return gettext("just now")
    if abs(delta) > RELATIVE_WITHIN:
        return ""
    if delta < dt.timedelta(0):
        return gettext("%(time)s ago") % {"time": timesince(value, now, depth=1)}
    return gettext("in %(time)s") % {"time": timeuntil(value, now, depth=1)}
