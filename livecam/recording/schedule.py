"""Weekly recording schedules: ``"mon-fri 18:00-08:00; sat,sun 00:00-24:00"``.

Syntax: rules separated by ``;``. A rule is ``DAYS HH:MM-HH:MM``; DAYS is ``daily`` (or
``*``), a day (``mon`` … ``sun``, lower case), a range (``mon-fri``, ``fri-mon`` wraps) or a
comma list of those. A time range whose end is not after its start runs past midnight into the next
day (``18:00-08:00`` on ``fri`` covers Friday 18:00 to Saturday 08:00); ``24:00`` is the
end of the day. Times are wall-clock times of the server's time zone (Django's TIME_ZONE).
An empty schedule means "always" (continuous recording is then on all the time).
"""

from __future__ import annotations

import datetime as dt
import re

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = "(?:mon|tue|wed|thu|fri|sat|sun)"
_DAYS = rf"(?:daily|\*|{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*)"
_TIME = r"(?:[01]?\d|2[0-3]):[0-5]\d|24:00"
_RULE_TEXT = rf"(?P<days>{_DAYS})\s+(?P<start>{_TIME})\s*-\s*(?P<end>{_TIME})"
# Parsing is looser than PATTERN so that a mistake gets a specific reason ("25:00 is not a
# time of day"); the checks after it accept exactly what PATTERN accepts.
_RULE = re.compile(
    r"\s*(?P<days>[a-z*,\-]+)\s+(?P<start>\d{1,2}:\d\d)\s*-\s*(?P<end>\d{1,2}:\d\d)\s*"
)
PATTERN = re.sub(r"\?P<\w+>", "", rf"^\s*(?:{_RULE_TEXT})?\s*(?:;\s*(?:{_RULE_TEXT})?\s*)*$")
"""The whole syntax as one regular expression (the API's JSON schema carries it)."""
_MAX_LENGTH = 200

Window = tuple[int, int, int]
"""(weekday 0=Monday, start minute, end minute); end may pass 1440 (into the next day)."""


def _minutes(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"{text!r} is not a time of day (00:00 to 24:00)")
    return hours * 60 + minutes


def _days(text: str) -> list[int]:
    if text in ("daily", "*"):
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if first not in DAYS or (dash and last not in DAYS):
            raise ValueError(f"{part!r} is not a day or a range of days (mon … sun)")
        start = DAYS.index(first)
        end = DAYS.index(last) if last else start
        days.extend((start + step) % 7 for step in range((end - start) % 7 + 1))
    return days


def parse(text: str) -> list[Window]:
    """Return the windows of a schedule; raise ValueError with a readable reason."""
    text = text.strip()
    if len(text) > _MAX_LENGTH:
        raise ValueError(f"a schedule has at most {_MAX_LENGTH} characters")
    windows: list[Window] = []
    for rule in filter(str.strip, text.split(";")):
        match = _RULE.fullmatch(rule)
        if match is None:
            raise ValueError(
                f"{rule.strip()!r} is not 'DAYS HH:MM-HH:MM' (e.g. mon-fri 18:00-08:00)"
            )
        start, end = _minutes(match["start"]), _minutes(match["end"])
        if end <= start:
            end += 1440  # runs past midnight
        windows.extend((day, start, end) for day in _days(match["days"]))
    return windows


def active(windows: list[Window], at: dt.datetime) -> bool:
    """Return True when ``at`` (a local time) falls in one of the windows; [] is always."""
    if not windows:
        return True
    minute = at.hour * 60 + at.minute
    today = at.weekday()
    for day, start, end in windows:
        if day == today and start <= minute < end:
            return True
        if (day + 1) % 7 == today and end > 1440 and minute < end - 1440:
            return True
    return False


def validate(text: str) -> None:
    """Django validator: raise ValidationError naming the problem of a bad schedule."""
    from django.core.exceptions import ValidationError

    try:
        parse(text)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
