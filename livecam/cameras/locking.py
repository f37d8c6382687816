"""Run a read-check-write transaction again when SQLite refuses it for a concurrent writer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError

T = TypeVar("T")
ATTEMPTS = 8


def retry_locked(work: Callable[[], T]) -> T:
    """Return ``work()``, retried when the database says it is locked.

    PostgreSQL waits on the row lock (``SELECT … FOR UPDATE``). SQLite has no row locks: two
    transactions that both read and then write make one of them fail at once with "database
    is locked" instead of waiting. Its transaction was rolled back, so running it again reads
    the other's committed change and merges with it: nothing is lost.
    """
    for attempt in range(ATTEMPTS):
        try:
            return work()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (attempt + 1))  # back off so the other writer can commit
    raise AssertionError("unreachable")
