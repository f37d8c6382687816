"""The one set of rules for a camera's configuration, used by the CLI, the admin and the API."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from livecam.models import Camera

MIN_SIDE = 16
"""The smallest width or height a camera may be resized to (0 keeps the source's size)."""
MIN_BITRATE = 50
"""The lowest H.264 bitrate cap in kbit/s (0 picks a default for the size)."""

SETTINGS = (
    "width",
    "height",
    "fps",
    "quality",
    "rotation",
    "on_demand",
    "linger",
    "bitrate",
    "keyframe_interval",
)
"""How a camera's picture is made: what operators may change from the camera page."""

EDITABLE = ("source", "label", *SETTINGS, "enabled", "controls", "privacy_masks")
"""Fields an admin may set when adding or editing a camera (besides the id, when adding)."""


class CameraInvalidError(ValueError):
    """A camera's configuration breaks a rule; ``problems`` maps each field to its reasons."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"{field}: {' '.join(reasons)}" for field, reasons in problems.items())
        )


def side_problem(value: object) -> str | None:
    """Return why a width or height is refused (too small to show anything), or None."""
    if isinstance(value, int) and 0 < value < MIN_SIDE:
        return _("Use 0 (the source's size) or at least %(min)d pixels.") % {"min": MIN_SIDE}
    return None


def bitrate_problem(value: object) -> str | None:
    """Return why an H.264 bitrate cap is refused (too low for a picture), or None."""
    # Below this x264 meets its cap only with a picture of blocks.
    if isinstance(value, int) and 0 < value < MIN_BITRATE:
        return _("Use 0 (a default for the size) or at least %(min)d kbit/s.") % {
            "min": MIN_BITRATE
        }
    return None


FIELD_RULES: tuple[tuple[str, Callable[[object], str | None]], ...] = (
    ("width", side_problem),
    ("height", side_problem),
    ("bitrate", bitrate_problem),
)
"""The rules beyond the model's own validators, by field (forms apply them per field too)."""


def problems_of(camera: Camera, *, unique: bool = False) -> dict[str, list[str]]:
    """Return every problem of a camera's configuration by field (empty when it is valid)."""
    found: dict[str, list[str]] = {}
    try:
        camera.full_clean(validate_unique=unique, validate_constraints=unique)
    except ValidationError as exc:
        found = {field: list(reasons) for field, reasons in exc.message_dict.items()}
    for name, rule in FIELD_RULES:
        problem = rule(getattr(camera, name))
        if problem and name not in found:
            found[name] = [problem]
    for field in camera._meta.concrete_fields:
        value = getattr(camera, field.attname)
        # NaN passes every min/max validator (each comparison is False), and SQLite then
        # stores it as NULL: the insert fails on the NOT NULL constraint.
        finite = not isinstance(value, float) or math.isfinite(value)
        if isinstance(field, models.FloatField) and not finite:
            found.setdefault(field.name, []).append(_("must be a finite number"))
        elif isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot store one
            found.setdefault(field.name, []).append(_("may not contain NUL characters"))
    return found


def check(camera: Camera, *, unique: bool = False) -> None:
    """Raise CameraInvalidError naming each bad field; return when the camera is valid."""
    found = problems_of(camera, unique=unique)
    if found:
        raise CameraInvalidError(found)
