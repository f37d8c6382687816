"""English: 3 Dec 2026, 22:57:49 UTC (day, short month, 24-hour clock, time zone)."""

DATETIME_FORMAT = "j M Y, H:i:s T"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
DATE_FORMAT = "j M Y"
