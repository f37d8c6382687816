"""Camera controls as the API shows them: what the source offers merged with stored values."""

from __future__ import annotations

from typing import Any

from livecam.sources import SourceError, parse_source
from livecam.sources.adjust import SOFTWARE_CONTROLS
from livecam.sources.base import Control

MAX_CONTROLS = 64
SOFTWARE_KINDS = ("pattern", "scene")
"""Source kinds that draw their frames and offer the software brightness and contrast."""


def control_to_json(control: Control) -> dict[str, Any]:
    """Return a control's description in its stored (and API) form."""
    return {
        "name": control.name,
        "type": control.type,
        "min": control.minimum,
        "max": control.maximum,
        "step": control.step,
        "default": control.default,
        "menu": [{"value": value, "label": label} for value, label in control.menu],
    }


def control_from_json(data: dict[str, Any]) -> Control:
    """Return a Control from its stored form."""
    return Control(
        name=str(data["name"]),
        type=str(data["type"]),
        minimum=int(data["min"]),
        maximum=int(data["max"]),
        step=int(data.get("step", 1)),
        default=int(data.get("default", 0)),
        menu=tuple((int(i["value"]), str(i["label"])) for i in data.get("menu", ())),
    )


def offered(source: str, reported: list[dict[str, Any]]) -> list[Control]:
    """Return the controls of a camera: those capture reported, else the source kind's own."""
    try:
        kind = parse_source(source).kind
    except SourceError:
        return []
    if kind in SOFTWARE_KINDS:
        return list(SOFTWARE_CONTROLS)
    # Hardware controls are known once capture has opened the device and reported them.
    return [control_from_json(item) for item in reported]


def describe(
    source: str, reported: list[dict[str, Any]], values: dict[str, int]
) -> list[dict[str, Any]]:
    """Return each control with its current value (the stored one, else its default)."""
    return [
        {**control_to_json(c), "value": values.get(c.name, c.default)}
        for c in offered(source, reported)
    ]


def check_values(controls: list[Control], changes: Any) -> dict[str, int]:
    """Return the checked changes, or raise ValueError naming the control and its range."""
    if not isinstance(changes, dict):
        raise ValueError("send an object of control names and values")
    by_name = {c.name: c for c in controls}
    checked = {}
    for name, value in changes.items():
        control = by_name.get(name)
        if control is None:
            known = ", ".join(sorted(by_name)) or "none"
            raise ValueError(f"unknown control {str(name)[:40]!r} (this camera has: {known})")
        checked[name] = control.check(value)
    return checked


def check_stored(values: Any) -> dict[str, int]:
    """Check the shape of stored control values (names to whole numbers)."""
    if not isinstance(values, dict) or len(values) > MAX_CONTROLS:
        raise ValueError(f"controls are an object of at most {MAX_CONTROLS} names and values")
    for name, value in values.items():
        if not isinstance(name, str) or not 0 < len(name) <= 64:
            raise ValueError("a control name is 1 to 64 characters")
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"control {name[:40]!r} takes a whole number")
    return values
