"""Scripts of the test scenes (``scene:NAME?at=S&for=S``): parsed without any video library."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl

from livecam.sources.base import SourceError

SCENES = ("still", "motion", "lighting")
_PARAMS = {"at": (0.0, 3600.0), "for": (0.1, 3600.0), "gain": (0.2, 5.0), "size": (0.02, 0.5)}


@dataclasses.dataclass(frozen=True, slots=True)
class Script:
    """What a scene does: its kind, when the change starts and how long it lasts."""

    scene: str = "still"
    at: float = 3.0
    duration: float = 3.0
    gain: float = 1.6
    size: float = 0.15


def parse_scene(rest: str) -> str:
    """Check ``NAME[?at=S&for=S&gain=G&size=F]`` and return it canonical, or raise SourceError."""
    name, _, query = rest.partition("?")
    if name not in SCENES:
        raise SourceError(f"a scene is one of: {', '.join(SCENES)} (scene:motion?at=3&for=3)")
    params = []
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)):
        bounds = _PARAMS.get(key)
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if bounds is None:
            raise SourceError(f"scene parameter {key[:12]!r} must be one of {', '.join(_PARAMS)}")
        if not bounds[0] <= number <= bounds[1]:
            raise SourceError(
                f"scene parameter {key!r} must be a number from {bounds[0]:g} to {bounds[1]:g}"
            )
        params.append(f"{key}={number:g}")
    return f"scene:{name}" + (f"?{'&'.join(params)}" if params else "")


def script_of(target: str) -> Script:
    """Return the script of a canonical scene target (``scene:motion?at=3``)."""
    name, _, query = target.removeprefix("scene:").partition("?")
    values = {key: float(value) for key, value in parse_qsl(query)}
    return Script(
        scene=name,
        at=values.get("at", 3.0),
        duration=values.get("for", 3.0),
        gain=values.get("gain", 1.6),
        size=values.get("size", 0.15),
    )
