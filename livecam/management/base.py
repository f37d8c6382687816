"""What livecam's database commands share: a database that is set up and reachable."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from livecam.setup import ensure_schema


class DatabaseCommand(BaseCommand):
    """A command that reads or writes the database: it works on a fresh data dir too."""

    def execute(self, *args: Any, **options: Any) -> Any:
        """Set the schema up if needed, then run the command; a dead database is one line."""
        try:
            ensure_schema()
        except DatabaseError as exc:  # PostgreSQL down, a read-only file, a locked database
            raise CommandError(f"the database cannot be used: {exc}".strip()) from exc
        return super().execute(*args, **options)
