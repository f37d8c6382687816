"""Keep share-link secrets out of logs: they are credentials that travel in the URL path."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"/share/ls_[A-Za-z0-9_-]+")
_REDACTED = "/share/ls_[redacted]"


def redact(text: str) -> str:
    """Return text with every share-link secret replaced."""
    return _SECRET.sub(_REDACTED, text)


class RedactShareSecrets(logging.Filter):
    """A logging filter that redacts share-link secrets in messages and their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        if isinstance(record.msg, str) and "/share/" in record.msg:
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact(arg) if isinstance(arg, str) and "/share/" in arg else arg
                for arg in record.args
            )
        return True


def install() -> None:
    """Attach the filter to the loggers that print request paths (uvicorn's, Django's)."""
    for name in ("uvicorn.access", "uvicorn.error", "django.request", "django.server"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactShareSecrets) for f in logger.filters):
            logger.addFilter(RedactShareSecrets())
