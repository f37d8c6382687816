"""Expiry times as people type them: ``30d``, ``12h``, ``90m``, ``2w`` or an ISO date."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

_DURATION = re.compile(r"(?P<amount>[0-9]{1,6})(?P<unit>[mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_MAX = datetime.timedelta(days=3660)


def parse_expiry(text: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """Return the moment ``text`` names (a duration from now, or an ISO date/time in the future).

    Raise ValueError with the reason for anything else, a past moment, or more than ten years.
    """
    now = now or timezone.now()
    text = text.strip()
    match = _DURATION.fullmatch(text)
    if match:
        delta = datetime.timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})
        if not datetime.timedelta(0) < delta <= _MAX:
            raise ValueError(_("an expiry must be more than 0 and at most ten years away"))
        return now + delta
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("cannot read the expiry %(text)r: use 30m, 12h, 7d, 2w or an ISO date")
            % {"text": text[:40]}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    if moment <= now:
        raise ValueError(_("the expiry is in the past"))
    if moment - now > _MAX:
        raise ValueError(_("an expiry must be at most ten years away"))
    return moment
