"""The V4L2 helpers without hardware: format summaries and control conversion.

This machine has no V4L2 device, so ioctls are never issued here. What runs: grouping
linuxpy's own FrameType records by format, converting control descriptions of each kind,
listing an empty /dev, and the ordering of auto/manual controls when setting them.
"""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import pytest
from linuxpy.video.device import ControlType, FrameIntervalType, FrameType, PixelFormat

from livecam.sources import v4l2
from livecam.sources.base import Control


def _frame_type(fmt: PixelFormat, width: int, height: int, fps: int) -> FrameType:
    rate = Fraction(fps)
    return FrameType(FrameIntervalType.DISCRETE, fmt, width, height, rate, rate, rate)


def test_formats_are_grouped_with_sizes_and_rates():
    types = [
        _frame_type(PixelFormat.MJPEG, 1280, 720, 30),
        _frame_type(PixelFormat.MJPEG, 1280, 720, 15),
        _frame_type(PixelFormat.MJPEG, 640, 480, 30),
        _frame_type(PixelFormat.YUYV, 640, 480, 30),
    ]
    assert v4l2.summarize_formats(types) == [
        {
            "format": "MJPEG",
            "sizes": [
                {"width": 1280, "height": 720, "fps": [30.0, 15.0]},
                {"width": 640, "height": 480, "fps": [30.0]},
            ],
        },
        {"format": "YUYV", "sizes": [{"width": 640, "height": 480, "fps": [30.0]}]},
    ]


class _Ctrl(SimpleNamespace):
    """The attributes of a linuxpy control that the conversion reads."""


def _ctrl(kind: ControlType, name: str, **extra: object) -> _Ctrl:
    values = {"minimum": 0, "maximum": 255, "step": 1, "default": 128, "value": 128}
    return _Ctrl(type=kind, config_name=name, **{**values, **extra})


def test_controls_of_each_kind_convert_and_others_are_left_out():
    integer = v4l2.to_control(_ctrl(ControlType.INTEGER, "brightness", step=0))
    boolean = v4l2.to_control(_ctrl(ControlType.BOOLEAN, "white_balance_automatic", maximum=1))
    menu = v4l2.to_control(
        _ctrl(
            ControlType.MENU,
            "power_line_frequency",
            maximum=2,
            default=1,
            data={0: "Disabled", 1: "50 Hz", 2: "60 Hz"},
        )
    )
    assert integer == Control("brightness", "integer", 0, 255, 1, 128)
    assert boolean is not None and boolean.type == "boolean"
    assert menu is not None and menu.menu == ((0, "Disabled"), (1, "50 Hz"), (2, "60 Hz"))
    assert v4l2.to_control(_ctrl(ControlType.BUTTON, "reset")) is None
    assert v4l2.to_control(_ctrl(ControlType.INTEGER, "x", is_flagged_read_only=True)) is None


def test_menu_and_range_checks_name_the_allowed_values():
    menu = Control("power_line_frequency", "menu", 0, 2, 1, 1, ((0, "off"), (2, "60 Hz")))
    assert menu.check(2) == 2
    with pytest.raises(ValueError, match="one of 0, 2"):
        menu.check(1)
    with pytest.raises(ValueError, match="from 0 to 255"):
        Control("gain", "integer", 0, 255).check(300)


def test_auto_controls_are_set_before_manual_ones():
    order: list[str] = []

    class Recorder(_Ctrl):
        def __setattr__(self, key: str, value: object) -> None:
            if key == "value":
                order.append(self.config_name)
            super().__setattr__(key, value)

    names = ["exposure_time_absolute", "auto_exposure", "gain"]
    device = SimpleNamespace(controls={n: Recorder(config_name=n) for n in names})
    assert v4l2.set_controls(device, dict.fromkeys(names, 1)) == []
    assert order[0] == "auto_exposure"


def test_listing_a_folder_without_devices_gives_nothing(tmp_path):
    assert v4l2.list_devices(str(tmp_path / "video*")) == []


def test_a_node_that_is_no_v4l2_device_is_skipped(tmp_path):
    (tmp_path / "video0").write_bytes(b"")  # the capability ioctl fails on it (ENOTTY)
    assert v4l2.list_devices(str(tmp_path / "video*")) == []
