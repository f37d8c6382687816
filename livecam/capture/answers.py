"""What a capture owner answers when a web process asks (Redis mode): probes and devices."""

from __future__ import annotations

import base64
from typing import Any

from livecam.cameras import probe


def answer(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Answer one question from a web process; KeyError for a kind this owner does not know."""
    if kind == "probe":
        return _probe(payload)
    if kind == "devices":
        from livecam.sources.v4l2 import list_devices

        return {"devices": list_devices()}
    raise KeyError(kind)


def _probe(payload: dict[str, Any]) -> dict[str, Any]:
    source = payload.get("source")
    if not isinstance(source, str) or len(source) > 2048:
        return {"error": "the question names no source"}
    try:
        result = probe.probe(source)
    except probe.ProbeBusyError as exc:
        return {"busy": str(exc)}
    jpeg = result.jpeg if payload.get("picture") else None  # only the preview needs it
    return {"result": result.to_json(), "jpeg": base64.b64encode(jpeg or b"").decode("ascii")}
