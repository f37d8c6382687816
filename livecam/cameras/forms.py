"""The add/edit camera form of livecam's own pages (rules: livecam.cameras.validation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livecam.cameras.validation import FIELD_RULES, SETTINGS
from livecam.models import Camera

FORM_FIELDS = ["id", "label", "source", *SETTINGS, "enabled"]


class CameraForm(forms.ModelForm):  # type: ignore[type-arg]
    """A camera's configuration; the id is fixed once the camera exists."""

    class Meta:
        model = Camera
        fields = FORM_FIELDS
        help_texts = {
            "id": _("Letters, digits, - and _; used in URLs. Cannot be changed later."),
            "source": _(
                "pattern:, device:/dev/video0, file:/path/clip.mp4, rtsp://…, mjpeg+http://…"
            ),
            "width": _("Pixels; 0 keeps the source's size."),
            "fps": _("Frames per second; 0 keeps the source's rate."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance._state.adding:
            self.fields["id"].disabled = True
        self.fields["source"].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        """Add the rules beyond the model's field validators (smallest size, lowest bitrate)."""
        data = super().clean() or {}
        for name, rule in FIELD_RULES:
            problem = rule(data.get(name))
            if problem:
                self.add_error(name, problem)
        return data
