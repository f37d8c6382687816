"""One first-run setup at a time over every process sharing a database, on any machine."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

logger = logging.getLogger(__name__)

# The PostgreSQL advisory lock key of livecam's setup (any constant shared by all its processes).
ADVISORY_KEY = 0x6C69766563616D  # "livecam"


@contextmanager
def setup_lock() -> Iterator[None]:
    """Hold the database's setup lock: the other processes' migrate and setup wait for ours.

    PostgreSQL: a session advisory lock, so processes on several machines take turns. SQLite:
    an exclusive lock on a file next to the database (SQLite is on one machine by nature).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
        return
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or name.startswith("file:"):
        # Other databases: Django's own migration locking is all there is.
        yield
        return
    # Not the database file itself: closing another descriptor of it would drop SQLite's own
    # POSIX locks held by this process.
    lock_path = Path(name).with_name(Path(name).name + ".setup-lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel if this process dies
        yield
    finally:
        os.close(fd)
