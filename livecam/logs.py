"""Keep share-link secrets out of logs: they are credentials that travel in the URL path.

The filter sits on every handler the project configures (Django's ``LOGGING``, uvicorn's log
config, and any handler already attached when the app is ready), not on a few loggers: a
logger's filter does not see the records of other loggers (``django.security.csrf``,
``django.request``, …) that reach the same handler.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

# A secret in a path segment (any length), or anywhere as the token itself (percent-encoded
# paths, query strings, messages that quote it).
_SECRET = re.compile(
    r"(?<=/share/)ls_[^/?#\s\"']+"
    r"|(?:(?<![A-Za-z0-9_-])|(?<=%2F)|(?<=%2f))ls_[A-Za-z0-9_-]{16,}"
)
_REDACTED = "ls_[redacted]"
_MARK = "ls_"

FILTER = {"()": "livecam.logs.RedactShareSecrets"}
"""The filter as a ``logging.config.dictConfig`` entry."""


def redact(text: str) -> str:
    """Return text with every share-link secret replaced."""
    return _SECRET.sub(_REDACTED, text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value) if _MARK in value else value
    if value is None or isinstance(value, int | float | bytes | bytearray):
        return value  # cannot hold a path as printed (and %d must keep getting a number)
    text = str(value)  # e.g. a URL or request object formatted with %s
    return redact(text) if _MARK in text else value


class RedactShareSecrets(logging.Filter):
    """A logging filter that redacts share-link secrets in messages, arguments and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        if isinstance(record.msg, str):
            if _MARK in record.msg:
                record.msg = redact(record.msg)
        else:
            record.msg = _redact_value(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text: format the traceback once here, redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """Return uvicorn's default logging config with the filter on each of its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_share_secrets"] = FILTER
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact_share_secrets"]
    return config


def install() -> None:
    """Put the filter on every handler attached so far (root's and every named logger's)."""
    loggers: list[logging.Logger | logging.PlaceHolder] = [
        logging.getLogger(),
        *logging.Logger.manager.loggerDict.values(),
    ]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not any(isinstance(f, RedactShareSecrets) for f in handler.filters):
                handler.addFilter(RedactShareSecrets())
