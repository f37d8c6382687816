"""Forms of the pages: a camera's settings (operators and admins) and API tokens."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from livecam.models import Camera

MIN_SIDE = 16
"""The smallest width or height a camera may be resized to (0 keeps the source's size)."""

SETTINGS_FIELDS = ["width", "height", "fps", "quality", "rotation", "on_demand", "linger"]
"""What operators may change from the camera page; the source stays admin-only."""


class CameraSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """Resolution, frame rate, JPEG quality, rotation and on-demand release of one camera."""

    class Meta:
        model = Camera
        fields = [name for name in SETTINGS_FIELDS if name in {f.name for f in Camera._meta.fields}]
        help_texts = {
            "width": _("Pixels; 0 keeps the source's size (one side 0 keeps the aspect ratio)."),
            "height": _("Pixels; 0 keeps the source's size."),
            "fps": _("Frames per second; 0 keeps the source's rate."),
            "quality": _("JPEG quality from 1 to 100; higher is sharper and larger."),
            "on_demand": _("Release the source when nobody has watched for the linger time."),
            "linger": _("Seconds to keep an on-demand camera open after the last viewer left."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = {"width": (0, 7680), "height": (0, 4320), "quality": (1, 100)}
        for name, (low, high) in limits.items():
            if name in self.fields:
                self.fields[name].widget.attrs.update({"min": low, "max": high, "step": 1})
        for name, step in (("fps", "any"), ("linger", "any")):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"min": 0, "step": step})

    def _clean_side(self, name: str) -> int:
        value: int = self.cleaned_data[name]
        if 0 < value < MIN_SIDE:
            raise forms.ValidationError(
                _("Use 0 (the source's size) or at least %(min)d pixels."),
                code="too_small",
                params={"min": MIN_SIDE},
            )
        return value

    def clean_width(self) -> int:
        """Reject sizes too small to show anything."""
        return self._clean_side("width")

    def clean_height(self) -> int:
        """Reject sizes too small to show anything."""
        return self._clean_side("height")


class TokenForm(forms.Form):
    """A new API token: a name to recognise it by and an optional lifetime."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. “backup script”."),
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Leave empty for a token that does not expire."),
    )

    def expires_at(self) -> datetime.datetime | None:
        """Return when the token expires, or None."""
        days = self.cleaned_data.get("expires_days")
        return timezone.now() + datetime.timedelta(days=days) if days else None
