"""Forms of the token and share-link pages (plain forms: the views do the database work)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from livecam.expiry import parse_expiry


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
