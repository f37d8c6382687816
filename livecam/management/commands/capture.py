"""``livecam capture``: run capture only, as the capture owner for a shared (Redis) bus."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from livecam import conf
from livecam.capture.owner import run_capture
from livecam.setup import password_notice, prepare


class Command(BaseCommand):
    """Capture the cameras whose leases this process holds, publish frames, until SIGTERM."""

    help = "Run capture only (the capture owner when LIVECAM_REDIS_URL is set)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Run until SIGTERM/SIGINT."""
        if conf.get("BUS") != "redis":
            raise CommandError(
                "`livecam capture` publishes to a shared bus: set LIVECAM_REDIS_URL. "
                "With the in-memory bus, `livecam serve` runs capture itself."
            )
        # Capture may be the first process on a fresh database: it migrates and makes the
        # admin like `serve` does (under the same lock), so the start order never matters.
        password = prepare().password
        if password:
            self.stdout.write(password_notice(password))
        asyncio.run(self._run())

    async def _run(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_capture(stop, on_ready=self._ready)

    def _ready(self) -> None:
        self.stdout.write("livecam capture is running.")
        self.stdout.flush()
