"""The ``livecam capture`` process: capture the cameras whose Redis leases it holds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from django.db import close_old_connections

from livecam import conf
from livecam.bus import get_bus
from livecam.bus.redis_ask import AskListener
from livecam.capture.answers import answer
from livecam.capture.embedded import make_supervisor
from livecam.capture.lease import LeaseKeeper

logger = logging.getLogger(__name__)


def _camera_ids() -> list[str]:
    from livecam.models import Camera

    try:
        return list(Camera.objects.values_list("id", flat=True))
    finally:
        close_old_connections()


async def run_capture(stop: asyncio.Event, on_ready: Callable[[], None] | None = None) -> None:
    """Capture until `stop` is set; then close every source and hand the leases over.

    `on_ready` is called once capture runs and the process hears questions from the web.
    """
    from livecam.bus.redis import RedisFrameBus

    bus = get_bus()
    if not isinstance(bus, RedisFrameBus):
        raise TypeError("capture-only processes need the Redis bus")
    keeper = LeaseKeeper(bus.url, bus.keys, _camera_ids, ttl=float(conf.get("LEASE_TTL")))
    supervisor = make_supervisor(bus, gate=keeper.owns)
    keeper.on_change = supervisor.notify
    await bus.start()
    await asyncio.to_thread(keeper.tick)  # take free leases before the first reconcile
    keeper.start()
    supervisor.start()
    listener = AskListener(bus.url, bus.keys, answer)  # probes and devices asked from the web
    if not await asyncio.to_thread(listener.start):
        logger.warning("capture: not yet hearing questions from the web (Redis is away)")
    if on_ready is not None:
        on_ready()
    logger.info("capture: running as %s", keeper.token)
    try:
        await stop.wait()
    finally:
        await asyncio.to_thread(listener.stop)
        await asyncio.to_thread(supervisor.stop, 2.0)
        await asyncio.to_thread(keeper.stop)  # only after every source is closed
        await bus.stop()
