"""Forms of the pages: camera settings, tokens and share links."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livecam.access.expiry import parse_expiry
from livecam.cameras.validation import SETTINGS, bitrate_problem, side_problem
from livecam.models import Camera

SETTINGS_FIELDS = list(SETTINGS)
"""What operators may change from the camera page; the source stays admin-only."""


class CameraSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """Resolution, frame rate, JPEG quality, rotation and on-demand release of one camera."""

    class Meta:
        model = Camera
        fields = [name for name in SETTINGS_FIELDS if name in {f.name for f in Camera._meta.fields}]
        help_texts = {
            "width": _(
                "Pixels before rotation; 0 keeps the source's size "
                "(one side 0 keeps the aspect ratio)."
            ),
            "height": _("Pixels before rotation; 0 keeps the source's size."),
            "fps": _("Frames per second; 0 keeps the source's rate."),
            "quality": _("JPEG quality from 1 to 100; higher is sharper and larger."),
            "on_demand": _("Release the source when nobody has watched for the linger time."),
            "linger": _("Seconds to keep an on-demand camera open after the last viewer left."),
            "bitrate": _("Cap of the H.264 stream in kbit/s; 0 picks a default for the size."),
            "keyframe_interval": _(
                "Seconds between H.264 keyframes (0.2 to 10); a new viewer waits at most this."
            ),
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
        for name in ("bitrate", "keyframe_interval"):
            if name in self.fields:  # left out by older pages and scripts: keep the value
                self.fields[name].required = False
        if "bitrate" in self.fields:
            self.fields["bitrate"].widget.attrs.update({"min": 0, "max": 50000, "step": 1})
        if "keyframe_interval" in self.fields:
            self.fields["keyframe_interval"].widget.attrs.update(
                {"min": 0.2, "max": 10, "step": "any"}
            )

    def _clean_side(self, name: str) -> int:
        value: int = self.cleaned_data[name]
        problem = side_problem(value)  # the rule the API, CLI and add form apply
        if problem:
            raise forms.ValidationError(problem, code="too_small")
        return value

    def _kept(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value is None else value

    def clean_bitrate(self) -> int:
        """Keep the camera's bitrate when the field is left out; refuse one too low."""
        value = int(self._kept("bitrate"))
        problem = bitrate_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="too_low")
        return value

    def clean_keyframe_interval(self) -> float:
        """Keep the camera's keyframe interval when the field is left out."""
        return float(self._kept("keyframe_interval"))

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


RECORDING_MODES = [
    ("off", _("Off")),
    ("motion", _("On motion")),
    ("continuous", _("Continuous (24/7)")),
    ("schedule", _("Continuous on a schedule")),
]
"""The recording modes the settings form offers; each is a combination of model fields."""


def recording_mode(record_on_motion: bool, continuous: bool, schedule: str) -> str:
    """Return the mode (a RECORDING_MODES key) that these settings amount to."""
    if continuous:
        return "schedule" if schedule.strip() else "continuous"
    return "motion" if record_on_motion else "off"


class MotionSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """Motion detection, recording and retention of one camera (admins, on the camera page)."""

    mode = forms.ChoiceField(
        label=_("Recording mode"),
        choices=RECORDING_MODES,
        widget=forms.RadioSelect,
        help_text=_("Record/Stop on the media page works in every mode."),
    )
    _MODE_FIELDS = ("record_on_motion", "continuous")  # set from the mode, not shown

    class Meta:
        from livecam.motion.models import MotionSettings

        model = MotionSettings
        fields = [
            "motion",
            "overlay",
            "record_on_motion",
            "continuous",
            "schedule",
            "max_gb",
            "pre_seconds",
            "post_seconds",
            "analysis_fps",
            "threshold",
            "min_area",
            "max_age_days",
            "max_count",
            "webhook_url",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self._MODE_FIELDS:
            del self.fields[name]
        saved = self.instance
        self.fields["mode"].initial = recording_mode(
            saved.record_on_motion, saved.continuous, saved.schedule
        )
        # The mode right after the motion switch: the order the page reads in.
        self.order_fields(["motion", "overlay", "mode", "schedule", "max_gb"])

    def clean(self) -> dict[str, Any]:
        """Turn the mode into the model's fields; a schedule mode needs a schedule."""
        data = super().clean() or {}
        mode = data.get("mode")
        if mode is None:
            return data
        if mode == "motion" and not data.get("motion"):
            self.add_error("mode", _("Recording on motion needs motion detection on."))
        if mode == "schedule" and not (data.get("schedule") or "").strip():
            self.add_error("schedule", _("Enter when to record, e.g. mon-fri 18:00-08:00."))
        if mode == "continuous":
            data["schedule"] = ""  # continuous means always: no schedule
        self.instance.record_on_motion = mode == "motion"
        self.instance.continuous = mode in ("continuous", "schedule")
        return data
