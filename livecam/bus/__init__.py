"""The bus chosen in settings, like Django's caches: ``get_bus()`` returns this process's one."""

from __future__ import annotations

import threading

from django.utils.module_loading import import_string

from livecam import conf
from livecam.bus.base import ControlMessage, FrameBus

BACKENDS = {
    "memory": "livecam.bus.memory.MemoryFrameBus",
    "redis": "livecam.bus.redis.RedisFrameBus",
}

_bus: FrameBus | None = None
_lock = threading.Lock()


def get_bus() -> FrameBus:
    """Return this process's bus, creating it from the ``LIVECAM`` settings on first use."""
    global _bus
    with _lock:
        if _bus is None:
            name = conf.get("BUS")
            cls = import_string(BACKENDS.get(name, name))
            options = {key: conf.get(key) for key in conf.DEFAULTS}
            _bus = cls(options)
        return _bus


__all__ = ["BACKENDS", "ControlMessage", "FrameBus", "get_bus"]
