"""Probe sources and list devices where the devices are: here, or on the capture owner.

With capture inside the web server (the in-memory bus) that is this process. With the Redis
bus the devices, the allowed folders and the network the cameras are on belong to the
``livecam capture`` machine, so the question goes there over the bus (livecam.bus.redis_ask).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any

from livecam import conf
from livecam.cameras import probe


class OwnerUnavailableError(RuntimeError):
    """No capture process can answer (HTTP 503)."""


class OwnerTimeoutError(RuntimeError):
    """The capture process did not answer in time (HTTP 504)."""


def _redis_bus() -> Any:
    """Return the Redis bus when capture runs elsewhere, else None (answer here)."""
    from livecam.bus import get_bus
    from livecam.bus.redis import RedisFrameBus

    bus = get_bus()
    if conf.get("EMBEDDED_CAPTURE") or not isinstance(bus, RedisFrameBus):
        return None
    return bus


async def _ask(kind: str, payload: dict[str, Any], wait: float, everyone: bool) -> list[Any]:
    from livecam.bus.redis_ask import NoAnswerError, NoOwnerError, ask

    bus = _redis_bus()
    try:
        answers = await ask(bus.url, bus.keys, kind, payload, wait, everyone=everyone)
    except NoOwnerError as exc:
        raise OwnerUnavailableError(str(exc)) from None
    except NoAnswerError as exc:
        raise OwnerTimeoutError(str(exc)) from None
    for item in answers:
        if "error" in item:
            raise OwnerUnavailableError(f"the capture process could not answer: {item['error']}")
    return answers


async def probe_source(source: str, picture: bool = False) -> probe.ProbeResult:
    """Probe a source where capture runs (ProbeBusyError when too many probes run there)."""
    if _redis_bus() is None:
        return await asyncio.to_thread(probe.probe, source)
    timeout = probe.TIMEOUT + float(conf.get("ASK_TIMEOUT"))
    (answer,) = await _ask("probe", {"source": source, "picture": picture}, timeout, False)
    if "busy" in answer:
        raise probe.ProbeBusyError(str(answer["busy"]))
    return _result(answer)


def _result(answer: dict[str, Any]) -> probe.ProbeResult:
    try:
        data = answer["result"]
        jpeg = base64.b64decode(answer.get("jpeg") or "", validate=True) or None
        return probe.ProbeResult(
            ok=bool(data["ok"]),
            error=str(data["error"]),
            width=int(data["width"]),
            height=int(data["height"]),
            fps=float(data["fps"]),
            codec=str(data["codec"]),
            passes_through=bool(data["passes_through"]),
            jpeg=jpeg,
        )
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise OwnerUnavailableError("the capture process gave a malformed answer") from None


async def devices() -> list[dict[str, Any]]:
    """Return the V4L2 devices of the capture machine(s), each path listed once."""
    if _redis_bus() is None:
        from livecam.sources.v4l2 import list_devices

        return await asyncio.to_thread(list_devices)
    answers = await _ask("devices", {}, float(conf.get("ASK_TIMEOUT")), True)
    found: dict[str, dict[str, Any]] = {}
    for answer in answers:
        listed = answer.get("devices")
        if not isinstance(listed, list):
            raise OwnerUnavailableError("the capture process gave a malformed answer")
        for device in listed:
            if isinstance(device, dict) and isinstance(device.get("path"), str):
                found.setdefault(device["path"], device)
    return list(found.values())
