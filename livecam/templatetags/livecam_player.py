"""The translated strings of the H.264 player (player.js) on the camera page and dashboard."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def player_strings() -> SafeString:
    """Return player.js's strings as a JSON data block (not a script: the CSP allows none)."""
    strings = {
        "noMse": gettext("this browser has no Media Source Extensions"),
        "noCodec": gettext("this browser cannot decode this H.264 stream"),
        "noPicture": gettext("no H.264 picture arrived within 3 seconds"),
        "decodeError": gettext("the H.264 stream could not be decoded"),
        "network": gettext("the server did not answer"),
        "fellBack": gettext("MJPEG, since H.264 did not play: %(reason)s"),
    }
    return json_script(strings, "livecam-player-strings")
