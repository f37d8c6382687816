"""The MQTT bridge and the notifier: in exactly one process of an installation.

With the in-memory bus there is one process, and they run in it. With the Redis bus every
web process (``livecam serve``, each ``--workers`` worker) asks for one Redis lease
(``<prefix>integrations``, the capture leases' code): the holder runs them, the others stand
by and take over within one lease TTL when it dies. So a broker sees one livecam client and
a user gets each e-mail once, however many web processes there are.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from livecam import conf
from livecam.bus.base import FrameBus
from livecam.bus.redis_keys import RedisKeys

logger = logging.getLogger(__name__)

LEASE = "integrations"


@dataclasses.dataclass(frozen=True, slots=True)
class _LeaseKeys(RedisKeys):
    """Name the one lease of the integrations (apart from every camera's lease)."""

    def lease(self, camera_id: str) -> str:
        """Return the key of the integrations' lease."""
        return f"{self.prefix}{LEASE}"


class Integrations:
    """Start and stop the bridge and the notifier with the lease (or at once, without Redis)."""

    def __init__(self, bus: FrameBus) -> None:
        self.bus = bus
        self.services: list[Any] = []
        self._keeper: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changing = asyncio.Lock()

    async def start(self) -> None:
        """Run the services here, or compete for the lease that decides where they run."""
        from livecam.bus.redis import RedisFrameBus

        self._loop = asyncio.get_running_loop()
        if not isinstance(self.bus, RedisFrameBus):
            await self._run_services(True)
            return
        from livecam.capture.lease import LeaseKeeper

        self._keeper = LeaseKeeper(
            self.bus.url,
            _LeaseKeys(self.bus.keys.prefix),
            lambda: [LEASE],
            ttl=float(conf.get("LEASE_TTL")),
            on_change=self._lease_changed,
        )
        await asyncio.to_thread(self._keeper.tick)
        self._keeper.start()
        await self._run_services(self._keeper.owns(LEASE))

    def _lease_changed(self, _name: str) -> None:
        """Lease thread: the lease was taken or lost; (re)start or stop on the loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            held = self._keeper.owns(LEASE)
            asyncio.run_coroutine_threadsafe(self._run_services(held), loop)

    async def _run_services(self, run: bool) -> None:
        async with self._changing:
            if run and not self.services:
                self.services = _services(self.bus)
                for service in self.services:
                    service.start()
                if self.services:
                    logger.info("integrations running here (%d service(s))", len(self.services))
            elif not run and self.services:
                logger.info("integrations: lease lost; stopping here")
                await self._stop_services()

    async def _stop_services(self) -> None:
        services, self.services = self.services, []
        for service in services:
            try:
                await service.stop()
            except Exception:
                logger.exception("stopping %s failed", type(service).__name__)

    async def stop(self) -> None:
        """Stop the services, then hand the lease over."""
        async with self._changing:
            await self._stop_services()
        if self._keeper is not None:
            await asyncio.to_thread(self._keeper.stop)
            self._keeper = None


def _services(bus: FrameBus) -> list[Any]:
    from livecam.mqtt.bridge import MqttBridge
    from livecam.mqtt.config import MqttConfigError, from_settings
    from livecam.notify.notifier import Notifier

    services: list[Any] = [Notifier(bus.hub)]
    try:
        config = from_settings()
    except MqttConfigError as exc:
        logger.error("mqtt: bridge not started: %s", exc)
        config = None
    if config is not None:
        services.append(MqttBridge(config, bus.hub, float(conf.get("MQTT_RETRY_MAX"))))
    return services
