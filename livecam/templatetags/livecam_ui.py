"""Template helpers: translated camera states and the strings livecam.js shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext

register = template.Library()


def state_labels() -> dict[str, str]:
    """Return each camera state's label in the active language."""
    return {
        "starting": pgettext("camera state", "starting"),
        "online": pgettext("camera state", "online"),
        "error": pgettext("camera state", "error"),
        "stopping": pgettext("camera state", "stopping"),
        "off": pgettext("camera state", "off"),
        "idle": pgettext("camera state", "idle"),
    }


def state_notes() -> dict[str, str]:
    """Return the note shown over a camera's picture in each state without live frames."""
    return {
        "starting": gettext("Starting…"),
        "error": gettext("No signal"),
        "stopping": gettext("Switching off…"),
        "off": gettext("Camera is OFF"),
        "idle": gettext("Idle: opens when someone watches"),
    }


def continuous_labels() -> dict[str, str]:
    """Return each continuous-recording state's label in the active language."""
    return {
        "off": pgettext("continuous recording", "off"),
        "recording": pgettext("continuous recording", "recording"),
        "scheduled-idle": pgettext("continuous recording", "waiting for its schedule"),
        "paused": pgettext("continuous recording", "paused"),
    }


def pause_reasons() -> dict[str, str]:
    """Return the translated reasons of a pause (the API keeps the English words)."""
    return {
        "disk full": gettext("disk full"),
        "low disk space": gettext("low disk space"),
        "database unavailable": gettext("database unavailable"),
    }


@register.filter
def continuous_label(camera: dict[str, object]) -> str:
    """Return "paused: disk full" style text of a camera's continuous recording."""
    state = str(camera.get("continuous") or "off")
    label = continuous_labels().get(state, state)
    reason = str(camera.get("continuous_reason") or "")
    return f"{label}: {pause_reasons().get(reason, reason)}" if reason else label


@register.filter
def state_label(state: str) -> str:
    """Return the translated label of a camera state."""
    return state_labels().get(state, state)


@register.filter
def state_note(state: str) -> str:
    """Return the translated note over the picture for a state ('' when live)."""
    return state_notes().get(state, "")


@register.filter
def when(value: dt.datetime | None) -> str:
    """Render a moment as a <time>: the language's date format with zone, and how long ago."""
    from livecam.dates import absolute, relative

    if value is None:
        return ""
    shown = format_html('<time datetime="{}">{}</time>', value.isoformat(), absolute(value))
    ago = relative(value, timezone.now())
    if ago:
        shown = format_html('{} <span class="relative">({})</span>', shown, ago)
    return format_html('<span class="when">{}</span>', shown)


@register.filter
def recording_word(value: str) -> str:
    """Return the translated word of a recording's trigger or state."""
    from livecam.recording.models import STATES, TRIGGERS

    return str(dict(TRIGGERS + STATES).get(value, value))


@register.filter
def recording_mode_word(settings: Any) -> str:
    """Return the translated recording mode (off, on motion, …) of a camera's settings."""
    from livecam.forms import RECORDING_MODES, recording_mode

    mode = recording_mode(
        bool(settings.record_on_motion and settings.motion),
        bool(getattr(settings, "continuous", False)),
        str(getattr(settings, "schedule", "") or ""),
    )
    return str(dict(RECORDING_MODES)[mode])


@register.simple_tag
def livecam_strings() -> SafeString:
    """Return the translated strings of livecam.js as a JSON data block (not a script)."""
    strings = {
        "states": state_labels(),
        "continuous": continuous_labels(),
        "pauseReasons": pause_reasons(),
        "notes": state_notes(),
        "on": gettext("ON"),
        "off": gettext("OFF"),
        "fps": gettext("%(fps)s fps"),
        "viewersOne": ngettext("%(count)s viewer", "%(count)s viewers", 1),
        "viewersOther": ngettext("%(count)s viewer", "%(count)s viewers", 2),
        "summary": gettext("%(online)s of %(total)s online"),
        "switchedOn": gettext("%(camera)s switched on."),
        "switchedOff": gettext("%(camera)s switched off."),
        "allOn": gettext("All cameras switched on."),
        "allOff": gettext("All cameras switched off."),
        "switchFailed": gettext("Could not switch %(camera)s: %(reason)s"),
        "forbidden": gettext("you may not switch cameras"),
        "notFound": gettext("the camera no longer exists"),
        "network": gettext("the server did not answer"),
        "reconnecting": gettext("Connection lost. Reconnecting…"),
        "copied": gettext("Copied"),
        "fullscreen": gettext("Fullscreen"),
        "exitFullscreen": gettext("Exit fullscreen"),
        "retryIn": gettext("retrying in %(seconds)s s"),
        "retryNow": gettext("retrying now"),
        "lastFrame": gettext("last frame %(seconds)s s ago"),
    }
    return json_script(strings, "livecam-strings")
