"""Placeholder JPEGs ("OFF", "NO SIGNAL — reason") shown to viewers instead of live frames."""

from __future__ import annotations

import functools
import io
import textwrap

from django.utils import translation
from PIL import Image, ImageDraw, ImageFont

from livecam.reasons import present

_BACKGROUND = (24, 26, 31)
_TITLE_COLOUR = (235, 235, 240)
_REASON_COLOUR = (170, 175, 185)


@functools.lru_cache(maxsize=64)
def render(title: str, reason: str = "", width: int = 640, height: int = 480) -> bytes:
    """Return a JPEG with a centred title and an optional reason; cached per text and size."""
    width = max(64, min(width or 640, 3840))
    height = max(48, min(height or 480, 2160))
    image = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.load_default(size=max(12, height // 9))
    reason_font = ImageFont.load_default(size=max(10, height // 26))
    lines = textwrap.wrap(reason, width=max(20, width // max(6, height // 45)))[:4]
    title_box = draw.textbbox((0, 0), title, font=title_font)
    title_h = title_box[3] - title_box[1]
    line_h = int(height / 26 * 1.4)
    top = (height - title_h - line_h * len(lines)) // 2
    draw.text(((width - title_box[2]) // 2, top), title, fill=_TITLE_COLOUR, font=title_font)
    y = top + title_h + line_h // 2
    for line in lines:
        box = draw.textbbox((0, 0), line, font=reason_font)
        draw.text(((width - box[2]) // 2, y), line, fill=_REASON_COLOUR, font=reason_font)
        y += line_h
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=75)
    return out.getvalue()


def for_state(state: str, error: str, width: int, height: int) -> tuple[str, bytes]:
    """Return (title, JPEG) of the placeholder for a camera in this state."""
    if state == "off":
        title, reason = "OFF", "This camera is switched off."
    elif state == "idle":
        title, reason = "IDLE", "Waiting for the camera to start."
    elif state in ("starting", "online"):
        title, reason = "STARTING", "Waiting for the first frame."
    elif state == "stopping":
        title, reason = "STOPPING", ""
    else:
        # Every viewer of the stream sees this picture, share-link holders too: no addresses.
        with translation.override("en"):
            reason = present(error, see_sources=False) if error else ""
        title, reason = "NO SIGNAL", reason or "The source is not delivering frames."
    return title, render(title, reason, width, height)
