"""Capture inside the web server process (in-memory bus), started and stopped with it."""

from __future__ import annotations

from collections.abc import Callable

from livecam import conf
from livecam.bus.base import FrameBus
from livecam.capture.supervisor import CaptureSupervisor


def make_supervisor(bus: FrameBus, gate: Callable[[str], bool] | None = None) -> CaptureSupervisor:
    """Build a supervisor from the ``LIVECAM`` settings, with motion/recording (`gate`: lease)."""
    from livecam.motion.service import install

    install(bus)  # a frame observer; the supervisor's stop closes it
    return CaptureSupervisor(
        bus,
        reconcile_interval=float(conf.get("RECONCILE_INTERVAL")),
        read_timeout=float(conf.get("READ_TIMEOUT")),
        open_timeout=float(conf.get("OPEN_TIMEOUT")),
        retry_initial=float(conf.get("RETRY_INITIAL")),
        retry_max=float(conf.get("RETRY_MAX")),
        registry=conf.get("SOURCES") or None,
        gate=gate,
    )
