"""Wrap Django's ASGI handler: lifespan (bus, capture) and the stream send watchdog."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from livecam import conf
from livecam.bus import get_bus
from livecam.capture.supervisor import CaptureSupervisor
from livecam.integrations import Integrations
from livecam.serving.asgi_handler import LivecamASGIHandler
from livecam.serving.watchdog import SendWatchdog

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_EVENT_PATHS = ("/api/events",)

GC_THRESHOLDS = (50_000, 20, 10)
"""Garbage collector thresholds of a serving process (Python's defaults: 700, 10, 10).

Every viewer allocates a little per frame that is freed at once, so with the default 700 a
young collection ran every frame round (2-4 ms each with 1,000 viewers) and promoted the
objects alive at that moment, which made a full collection (150-270 ms, five frames lost for
every viewer) run every few seconds. Measured at 1,100 viewers: fps min 28.8 -> 29.8.
"""


class LivecamApp:
    """Serve Django; start the bus and (with the in-memory bus) capture with the server.

    Django's ASGI handler rejects the ``lifespan`` scope, so this wrapper answers it.
    """

    def __init__(self, django_app: ASGIApp) -> None:
        self.django_app = django_app
        self.supervisor: CaptureSupervisor | None = None
        self.integrations: Integrations | None = None
        self.watchdog = SendWatchdog(
            float(conf.get("SEND_TIMEOUT")), closing=lambda: get_bus().hub.closed
        )
        if isinstance(django_app, LivecamASGIHandler):
            django_app.watchdog = self.watchdog  # MJPEG streams stamp their own sends

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch one ASGI connection."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "http" and scope["path"].endswith(_EVENT_PATHS):
            send = self.watchdog.wrap(send)
        await self.django_app(scope, receive, send)

    async def startup(self) -> None:
        """Start the bus, the watchdog and, when capture runs in this process, the capture."""
        # What startup loaded (Django, the apps, settings) lives as long as the process: keep
        # it out of every collection, and collect rarely enough that streaming is not paused.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        bus = get_bus()
        await bus.start()
        self.watchdog.start()
        if conf.get("EMBEDDED_CAPTURE"):
            from livecam.capture.embedded import make_supervisor

            self.supervisor = make_supervisor(bus)
            self.supervisor.start()
        self.integrations = Integrations(bus)  # MQTT bridge and notifier (one per installation)
        await self.integrations.start()
        logger.info("livecam started (bus: %s)", type(bus).__name__)

    async def shutdown(self) -> None:
        """End every stream, stop capture (devices released within 2 s), close the bus."""
        bus = get_bus()
        if self.integrations is not None:
            await self.integrations.stop()
            self.integrations = None
        bus.hub.close()
        if self.supervisor is not None:
            await asyncio.to_thread(self.supervisor.stop, 2.0)
            self.supervisor = None
        await self.watchdog.stop()
        await bus.stop()
        logger.info("livecam stopped")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    logger.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.shutdown()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return
