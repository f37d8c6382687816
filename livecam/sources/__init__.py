"""Camera sources: parse and validate a source string, and make the source class for it."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceSpec

SOURCE_CLASSES: dict[str, str] = {
    "pattern": "livecam.sources.pattern.PatternSource",
    "device": "livecam.sources.device.DeviceSource",
    "file": "livecam.sources.file.FileSource",
    "url": "livecam.sources.url.UrlSource",
    "mjpeg": "livecam.sources.mjpeg.MjpegSource",
}

FORMS = "pattern:, device:N, device:/dev/videoN, file:/path, rtsp://, http(s)://, mjpeg+http(s)://"
_DEVICE = re.compile(r"/dev/video[0-9]{1,3}|/dev/v4l/by-(?:id|path)/[A-Za-z0-9._:+@-]{1,200}")
_URL_SCHEMES = {"rtsp", "rtsps", "http", "https"}
# Characters that have no business in a source: shell metacharacters, quotes, whitespace.
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f`$;|<>\"'\\{}]")


def parse_source(text: str) -> SourceSpec:
    """Parse a source string into its canonical spec, or raise SourceError saying why."""
    if not isinstance(text, str) or not text or len(text) > 500:
        raise SourceError(f"a source is one of: {FORMS}")
    if not text.isascii() or _FORBIDDEN.search(text):
        raise SourceError("the source contains characters that are not allowed")
    kind, sep, rest = text.partition(":")
    kind = kind.lower()
    if not sep:
        raise SourceError(f"unknown source {text!r}; use {FORMS}")
    if kind == "pattern":
        if rest:
            raise SourceError("pattern: takes no argument")
        return SourceSpec("pattern", "")
    if kind == "device":
        return SourceSpec("device", _device_path(rest))
    if kind == "file":
        return SourceSpec("file", _file_path(rest))
    if kind in _URL_SCHEMES:
        return SourceSpec("url", _checked_url(text))
    if kind in ("mjpeg+http", "mjpeg+https"):
        return SourceSpec("mjpeg", _checked_url(text[len("mjpeg+") :]))
    raise SourceError(f"unknown source kind {kind!r}; use {FORMS}")


def _device_path(rest: str) -> str:
    path = f"/dev/video{rest}" if rest.isdigit() and len(rest) <= 3 else rest
    if not _DEVICE.fullmatch(path):
        raise SourceError("a device is device:N or device:/dev/videoN (or /dev/v4l/by-id/…)")
    return path


def _file_path(rest: str) -> str:
    if not rest.startswith("/") or rest.startswith("//"):
        raise SourceError("a file source needs an absolute path: file:/path/clip.mp4")
    if ".." in rest.split("/"):
        raise SourceError("a file path may not contain '..'")
    return os.path.normpath(rest)


def _checked_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise SourceError(f"bad URL: {exc}") from None
    if parts.scheme.lower() not in _URL_SCHEMES:
        raise SourceError(f"unsupported URL scheme {parts.scheme!r}")
    if not parts.hostname:
        raise SourceError("the URL has no host")
    if port == 0:
        raise SourceError("the URL has a bad port")
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, parts.query, ""))


def validate_source(text: str, *, file_dirs: Sequence[str | Path] | None = None) -> SourceSpec:
    """Parse a source and check what can be checked now (files exist, allowed directories)."""
    spec = parse_source(text)
    if spec.kind == "file":
        path = Path(spec.target)
        if not path.is_file():
            raise SourceError(f"file not found: {spec.target}")
        if not os.access(path, os.R_OK):
            raise SourceError(f"file not readable: {spec.target}")
        if file_dirs is not None:
            real = path.resolve()
            allowed = [Path(d).resolve() for d in file_dirs]
            if not any(real.is_relative_to(d) for d in allowed):
                raise SourceError(f"files must be under {', '.join(map(str, allowed))}")
    return spec


def make_source(
    spec: SourceSpec, options: CaptureOptions, registry: Mapping[str, str] | None = None
) -> FrameSource:
    """Instantiate the source class for the spec's kind (settings may map kinds to classes)."""
    classes = {**SOURCE_CLASSES, **(registry or {})}
    dotted = classes.get(spec.kind)
    if dotted is None:
        raise SourceError(f"no source class for kind {spec.kind!r}")
    module_name, _, class_name = dotted.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    source: FrameSource = cls(spec, options)
    return source


def redact(url: str) -> str:
    """Return the URL without credentials, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


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
