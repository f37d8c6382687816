"""Camera sources: parse and validate a source string, and make the source class for it."""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from django.utils.translation import gettext as _

from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceSpec
from livecam.sources.script import parse_scene
from livecam.sources.urls import SCHEMES, parse_url, redact

logger = logging.getLogger(__name__)

SOURCE_CLASSES: dict[str, str] = {
    "pattern": "livecam.sources.pattern.PatternSource",
    "device": "livecam.sources.device.DeviceSource",
    "file": "livecam.sources.file.FileSource",
    "url": "livecam.sources.url.UrlSource",
    "mjpeg": "livecam.sources.mjpeg.MjpegSource",
    "scene": "livecam.sources.scene.SceneSource",
}
"""Source kind alias -> dotted path of its FrameSource class (settings may add or override)."""

FORMS = "pattern:, device:N, file:/path, rtsp://, http(s)://, mjpeg+http(s)://"
"""The accepted source forms, as error messages name them."""

MAX_LENGTH = 2048
_DEVICE = re.compile(
    r"/dev/video(?P<index>[0-9]{1,3})|/dev/v4l/by-(?:id|path)/[A-Za-z0-9][A-Za-z0-9._:+@-]{0,199}"
)
# A source never reaches a shell, but nothing legitimate contains these either: refusing them
# outright keeps injection attempts (and copy-paste accidents) out of the database and logs.
# "&" stays allowed because camera URLs need it in their query strings.
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f`$;|<>\"'\\{}^]")


def parse_source(text: str) -> SourceSpec:
    """Parse a source string into its canonical spec, or raise SourceError saying why."""
    if not isinstance(text, str) or not text:
        raise SourceError(_("a source is one of: %(forms)s") % {"forms": FORMS})
    if len(text) > MAX_LENGTH:
        raise SourceError(_("the source is longer than %(max)d characters") % {"max": MAX_LENGTH})
    # Non-ASCII is refused as a whole: it is how look-alike characters sneak in.
    if not text.isascii() or _FORBIDDEN.search(text):
        raise SourceError(_("the source contains spaces, control or shell characters"))
    kind, sep, rest = text.partition(":")
    kind = kind.lower()
    if not sep:
        raise SourceError(
            _("unknown source %(source)r; use %(forms)s") % {"source": _clip(text), "forms": FORMS}
        )
    if kind == "pattern":
        if rest:
            raise SourceError(_("pattern: takes no argument"))
        return SourceSpec("pattern", "")
    if kind == "scene":  # scripted test scenes for motion detection
        return SourceSpec("scene", parse_scene(rest))
    if kind == "device":
        return SourceSpec("device", _device_path(rest))
    if kind == "file":
        return SourceSpec("file", _file_path(rest))
    if kind in SCHEMES:
        return SourceSpec("url", str(parse_url(text)))
    if kind in ("mjpeg+http", "mjpeg+https"):
        return SourceSpec("mjpeg", str(parse_url(text[len("mjpeg+") :])))
    raise SourceError(
        _("unknown source kind %(kind)r; use %(forms)s") % {"kind": _clip(kind), "forms": FORMS}
    )


def _clip(text: str) -> str:
    return text if len(text) <= 24 else text[:24] + "..."


def _device_path(rest: str) -> str:
    if rest.isdigit() and len(rest) <= 3:
        rest = f"/dev/video{rest}"
    match = _DEVICE.fullmatch(rest)
    if match is None:
        raise SourceError(
            _("a device is device:N, device:/dev/videoN or device:/dev/v4l/by-id/...")
        )
    if match["index"] is not None:  # device:007 and device:7 are the same camera
        return f"/dev/video{int(match['index'])}"
    return rest


def _file_path(rest: str) -> str:
    # "file://..." is refused: it looks like a URL, and FFmpeg would read it as one.
    if not rest.startswith("/") or rest.startswith("//"):
        raise SourceError(_("a file source needs an absolute path: file:/path/clip.mp4"))
    if ".." in rest.split("/"):
        raise SourceError(_("a file path may not contain '..'"))
    path = os.path.normpath(rest)
    if path == "/":
        raise SourceError(_("a file source needs a file, not /"))
    return path


def validate_source(text: str, *, file_dirs: Sequence[str | Path] | None = None) -> SourceSpec:
    """Parse a source and check what can be checked now (files exist, allowed directories).

    Devices are only checked for syntax: a camera may be plugged in later, and opening it
    reports clearly when it is missing.
    """
    spec = parse_source(text)
    if spec.kind == "file":
        _check_file(spec.target, file_dirs)
    return spec


def _check_file(target: str, file_dirs: Sequence[str | Path] | None) -> None:
    real = Path(os.path.realpath(target))
    if file_dirs is not None:
        # Checked on the resolved path first, so a symlink cannot lead outside, and files
        # outside the allowed directories are not even probed for existence.
        allowed = [Path(os.path.realpath(d)) for d in file_dirs]
        if not any(real.is_relative_to(d) for d in allowed):
            folders = ", ".join(map(str, allowed)) or "(none)"
            raise SourceError(_("files must be under %(folders)s") % {"folders": folders})
    if not real.exists():
        raise SourceError(_("file not found: %(path)s") % {"path": target})
    if not real.is_file():
        raise SourceError(_("not a regular file: %(path)s") % {"path": target})
    if not os.access(real, os.R_OK):
        raise SourceError(_("file not readable: %(path)s") % {"path": target})


def make_source(
    spec: SourceSpec, options: CaptureOptions, registry: Mapping[str, str] | None = None
) -> FrameSource:
    """Instantiate the source class for the spec's kind (``registry`` adds or overrides)."""
    classes = {**SOURCE_CLASSES, **(registry or {})}
    dotted = classes.get(spec.kind)
    if dotted is None:
        raise SourceError(f"no source class for kind {spec.kind!r}")
    module_name, _, class_name = dotted.rpartition(".")
    try:
        # Imported only now: PyAV and linuxpy load only with the sources that need them.
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        logger.exception("cannot import source class %s", dotted)
        raise SourceError(f"source class {dotted!r} cannot be loaded") from None
    if not (isinstance(cls, type) and issubclass(cls, FrameSource)):
        raise SourceError(f"{dotted!r} is not a FrameSource class")
    return cls(spec, options)


__all__ = [
    "FORMS",
    "SOURCE_CLASSES",
    "CaptureOptions",
    "FrameSource",
    "SourceError",
    "SourceSpec",
    "make_source",
    "parse_source",
    "redact",
    "validate_source",
]
