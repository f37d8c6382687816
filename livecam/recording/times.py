"""Times in query strings: Unix seconds (``1733300000.5``) or ISO 8601 (UTC without an offset)."""

from __future__ import annotations

import datetime as dt
import math


def parse_time(text: str, name: str) -> float:
    """Return Unix seconds; raise ValueError naming the parameter when ``text`` is no time."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        try:
            at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{name}: not Unix seconds or an ISO 8601 time") from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        value = at.timestamp()
    if not math.isfinite(value) or not 0 <= value < 32503680000:  # before year 3000
        raise ValueError(f"{name}: out of range")
    return value
