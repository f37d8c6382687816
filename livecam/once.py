"""Log a recurring problem once: the first time at WARNING, repeats at DEBUG until it clears."""

from __future__ import annotations

import logging

_MAX_KEYS = 1024  # a flood of distinct bad inputs must not grow memory without bound


class LogOnce:
    """Remember which problems were already logged (per key) and count nothing twice."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._seen: set[tuple[str, ...]] = set()

    def warning(self, key: tuple[str, ...], message: str, *args: object) -> None:
        """Log at WARNING the first time `key` is seen (DEBUG afterwards)."""
        if key in self._seen:
            self.logger.debug(message, *args)
            return
        if len(self._seen) >= _MAX_KEYS:
            self._seen.clear()
        self._seen.add(key)
        self.logger.warning(message, *args)

    def clear(self, *prefix: str) -> None:
        """Forget the keys that start with `prefix` (cleared: log it again next time)."""
        self._seen = {key for key in self._seen if key[: len(prefix)] != prefix}
