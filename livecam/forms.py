"""Forms of the pages: camera settings, tokens and share links."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livecam.expiry import parse_expiry
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


class ExpiryField(forms.CharField):
    """An expiry typed as 30m, 12h, 7d, 2w or an ISO date; empty means never."""

    def clean(self, value: Any) -> datetime.datetime | None:
        """Return the moment, None for never, or raise a ValidationError saying why."""
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_expiry(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class TokenForm(forms.Form):
    """A new API token of the logged-in user."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    read_only = forms.BooleanField(label=_("Read-only (never switch cameras)"), required=False)
    cameras = forms.MultipleChoiceField(
        label=_("Only these cameras (none: all you may see)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires = ExpiryField(
        label=_("Expires in (30m, 12h, 7d, 2w or a date; empty: never)"),
        max_length=40,
        required=False,
        initial="90d",
    )

    def __init__(self, *args: Any, camera_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cameras"].choices = camera_choices  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    """A new share link of one camera."""

    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    expires = ExpiryField(
        label=_("Expires in (30m, 12h, 7d, 2w or a date)"),
        max_length=40,
        required=True,
        initial="7d",
    )
