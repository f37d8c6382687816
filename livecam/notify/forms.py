"""The notifications page's form: e-mail, quiet hours, and per camera what to be told."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class NotificationsForm(forms.Form):
    """One's wishes; camera fields are added per visible camera (``motion-<id>`` etc.)."""

    email = forms.BooleanField(label=_("Send me e-mail"), required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Nothing is sent in between (server time); empty: never quiet."),
    )

    def __init__(self, *args: Any, cameras: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cameras = cameras
        for camera_id, _title in cameras:
            self.fields[f"motion-{camera_id}"] = forms.BooleanField(
                label=_("Motion started"), required=False
            )
            self.fields[f"offline-{camera_id}"] = forms.BooleanField(
                label=_("Went offline / came back"), required=False
            )
            self.fields[f"interval-{camera_id}"] = forms.FloatField(
                label=_("At most one every (minutes)"),
                min_value=0,
                max_value=1440,
                initial=10,
                required=False,  # empty: the default, 10
                widget=forms.NumberInput(attrs={"step": "any", "min": 0, "max": 1440}),
            )

    def rows(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """Return (camera id, title, its three fields) for the template."""
        return [
            (cid, title, [self[f"{kind}-{cid}"] for kind in ("motion", "offline", "interval")])
            for cid, title in self.cameras
        ]

    def profile_fields(self) -> list[forms.BoundField]:
        """Return the fields that are not per camera."""
        return [self["email"], self["quiet_start"], self["quiet_end"]]
