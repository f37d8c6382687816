"""Template helpers: translated camera states and the strings livecam.js shows."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
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


@register.filter
def state_label(state: str) -> str:
    """Return the translated label of a camera state."""
    return state_labels().get(state, state)


@register.filter
def state_note(state: str) -> str:
    """Return the translated note over the picture for a state ('' when live)."""
    return state_notes().get(state, "")


@register.simple_tag
def livecam_strings() -> SafeString:
    """Return the translated strings of livecam.js as a JSON data block (not a script)."""
    strings = {
        "states": state_labels(),
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
        "retryIn": gettext("retrying in %(seconds)s s"),
        "retryNow": gettext("retrying now"),
        "lastFrame": gettext("last frame %(seconds)s s ago"),
    }
    return json_script(strings, "livecam-strings")
