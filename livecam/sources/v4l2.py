"""V4L2 devices through linuxpy: list devices and their formats, read and set controls."""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Iterable
from typing import Any

from livecam.sources.base import Control

logger = logging.getLogger(__name__)

_TYPES = {"INTEGER": "integer", "BOOLEAN": "boolean", "MENU": "menu", "INTEGER_MENU": "menu"}
"""V4L2 control types offered as sliders, switches and menus (buttons, strings are not)."""


def to_control(ctrl: Any) -> Control | None:
    """Return our Control for a linuxpy control, or None for kinds we do not offer."""
    kind = _TYPES.get(getattr(ctrl.type, "name", ""))
    if kind is None or getattr(ctrl, "is_flagged_disabled", False):
        return None
    if getattr(ctrl, "is_flagged_read_only", False):
        return None
    menu: tuple[tuple[int, str], ...] = ()
    if kind == "menu":
        menu = tuple((int(index), str(name)) for index, name in dict(ctrl.data).items())
    return Control(
        name=str(ctrl.config_name),
        type=kind,
        minimum=int(ctrl.minimum),
        maximum=int(ctrl.maximum),
        step=max(1, int(ctrl.step or 1)),
        default=int(ctrl.default),
        menu=menu,
    )


def read_controls(device: Any) -> tuple[list[Control], dict[str, int]]:
    """Return the controls of an open linuxpy Device and their current values."""
    controls, values = [], {}
    for ctrl in device.controls.values():
        control = to_control(ctrl)
        if control is None:
            continue
        controls.append(control)
        try:
            values[control.name] = int(ctrl.value)
        except (OSError, TypeError, ValueError):  # write-only or momentarily unreadable
            values[control.name] = control.default
    return controls, values


def set_controls(device: Any, values: dict[str, int]) -> list[str]:
    """Set controls by name on an open linuxpy Device; return the problems (never raises)."""
    by_name = {ctrl.config_name: ctrl for ctrl in device.controls.values()}
    problems = []
    # Auto modes first: a manual exposure or white balance is refused while auto is on.
    for name in sorted(values, key=lambda n: (0 if "auto" in n else 1, n)):
        ctrl = by_name.get(name)
        if ctrl is None:
            continue
        try:
            ctrl.value = values[name]
        except (OSError, AttributeError, ValueError) as exc:
            problems.append(f"{name}: {exc}")
    return problems


def summarize_formats(frame_types: Iterable[Any]) -> list[dict[str, Any]]:
    """Group linuxpy FrameTypes by pixel format: the sizes, each with its frame rates."""
    formats: dict[str, dict[tuple[int, int], set[float]]] = {}
    for frame_type in frame_types:
        name = getattr(frame_type.pixel_format, "name", str(frame_type.pixel_format))
        rates = formats.setdefault(name, {}).setdefault(
            (int(frame_type.width), int(frame_type.height)), set()
        )
        for fps in (frame_type.min_fps, frame_type.max_fps):
            if fps:
                rates.add(round(float(fps), 3))
    return [
        {
            "format": name,
            "sizes": [
                {"width": w, "height": h, "fps": sorted(rates, reverse=True)}
                for (w, h), rates in sorted(sizes.items(), key=lambda item: item[0], reverse=True)
            ],
        }
        for name, sizes in sorted(formats.items())
    ]


def stable_paths(pattern: str = "/dev/v4l/by-id/*") -> dict[str, str]:
    """Return device node -> its stable by-id link (survives re-plugging, unlike videoN)."""
    links: dict[str, str] = {}
    for link in sorted(glob.glob(pattern)):
        links.setdefault(os.path.realpath(link), link)
    return links


def list_devices(pattern: str = "/dev/video*") -> list[dict[str, Any]]:
    """Return every V4L2 capture device: path, by-id path, name, driver, bus and formats."""
    try:
        from linuxpy.video.device import Capability, Device
    except ImportError:  # not on Linux, or linuxpy missing: no devices to offer
        logger.warning("linuxpy is not available: no V4L2 devices are listed")
        return []
    links = stable_paths()
    devices = []
    for path in sorted(glob.glob(pattern), key=_node_order):
        try:
            with Device(path) as device:
                info = device.info
                if Capability.VIDEO_CAPTURE not in info.device_capabilities:
                    continue  # metadata nodes: UVC cameras have two /dev/video nodes each
                devices.append(
                    {
                        "path": path,
                        "by_id": links.get(os.path.realpath(path), ""),
                        "name": info.card,
                        "driver": info.driver,
                        "bus": info.bus_info,
                        "formats": summarize_formats(info.frame_types),
                    }
                )
        except OSError as exc:  # busy, no permission, unplugged while listing
            logger.info("skipping %s: %s", path, exc)
    return devices


def _node_order(path: str) -> tuple[int, str]:
    digits = "".join(ch for ch in os.path.basename(path) if ch.isdigit())
    return (int(digits) if digits else 1_000_000, path)
