"""``livecam serve``: migrate, ensure an admin exists, and serve the site with uvicorn."""

from __future__ import annotations

import argparse
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from livecam import conf
from livecam.setup import password_notice, prepare
from livecam.site.env import env_bool, env_int


def port_number(text: str) -> int:
    """Return a TCP port from the command line (1 to 65535)."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 1 to 65535, not {text!r}")
    return int(text)


class Command(BaseCommand):
    """Serve livecam (capture runs inside the server unless LIVECAM_REDIS_URL is set)."""

    help = "Migrate, ensure an admin user exists, and serve livecam with uvicorn."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        """Define --host, --port, --demo and --workers."""
        parser.add_argument("--host", default=os.environ.get("LIVECAM_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=port_number, default=env_int("LIVECAM_PORT", 8000, low=1, high=65535)
        )
        parser.add_argument(
            "--demo", action="store_true", help="add a test-pattern camera 'demo' if none exists"
        )
        parser.add_argument(
            "--workers", type=int, default=1, help="uvicorn worker processes (needs Redis when > 1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Prepare the database and run the server until SIGTERM/SIGINT."""
        workers: int = options["workers"]
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if workers > 1 and conf.get("BUS") == "memory":
            raise CommandError(
                "--workers > 1 needs LIVECAM_REDIS_URL: with the in-memory bus each worker "
                "would open every camera itself and a toggle would reach only one worker."
            )
        setup = prepare(demo=options["demo"])
        password = setup.password
        if setup.demo_added:
            self.stdout.write("Added the test-pattern camera 'demo'.")
        host, port = options["host"], options["port"]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"livecam is serving on http://{shown}:{port}/")
        if password:
            self.stdout.write(password_notice(password))
        self.stdout.flush()
        from livecam.server import run

        run(host=host, port=port, workers=workers, behind_proxy=env_bool("LIVECAM_BEHIND_PROXY"))
