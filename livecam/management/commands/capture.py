"""``livecam capture``: run capture only, as the capture owner for a shared (Redis) bus."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from livecam import conf
from livecam.bus import get_bus
from livecam.capture.embedded import make_supervisor


class Command(BaseCommand):
    """Capture every enabled camera and publish frames on the bus until SIGTERM."""

    help = "Run capture only (the capture owner when LIVECAM_REDIS_URL is set)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Run until SIGTERM/SIGINT."""
        if conf.get("BUS") == "memory":
            raise CommandError(
                "`livecam capture` publishes to a shared bus: set LIVECAM_REDIS_URL. "
                "With the in-memory bus, `livecam serve` runs capture itself."
            )
        asyncio.run(self._run())

    async def _run(self) -> None:
        bus = get_bus()
        await bus.start()
        supervisor = make_supervisor(bus)
        supervisor.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        self.stdout.write("livecam capture is running.")
        self.stdout.flush()
        await stop.wait()
        await asyncio.to_thread(supervisor.stop, 2.0)
        await bus.stop()
