"""Files under the data dir's media folder: generated safe names, resolved without escapes."""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def media_root() -> Path:
    """Return the media folder (Django's ``MEDIA_ROOT``; the data dir's ``media`` for the site)."""
    root = getattr(settings, "MEDIA_ROOT", "") or "media"
    return Path(root).resolve()


def new_name(kind: str, camera_id: str, suffix: str) -> str:
    """Return a fresh relative path ``KIND/CAMERA/YYYY-MM-DD/HHMMSS-RANDOM.SUFFIX``.

    Names are generated, never taken from a request: the camera id is a slug and the rest is
    a timestamp and random hex, so no name can climb out of the media folder.
    """
    now = time.gmtime()
    day, stamp = time.strftime("%Y-%m-%d", now), time.strftime("%H%M%S", now)
    return f"{kind}/{camera_id}/{day}/{stamp}-{secrets.token_hex(6)}{suffix}"


def resolve(relative: str) -> Path | None:
    """Return the absolute path of a stored name, or None if it would leave the media folder."""
    if not relative:
        return None
    root = media_root()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path != root else None


def write_atomic(relative: str, data: bytes) -> Path:
    """Write a file (its folders created) so readers never see it half-written."""
    path = resolve(relative)
    if path is None:
        raise ValueError(f"bad media name {relative!r}")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def remove(relative: str) -> None:
    """Delete a stored file if it exists (a missing file is not an error)."""
    path = resolve(relative)
    if path is None:
        return
    try:
        path.unlink(missing_ok=True)
    except OSError:
        logger.warning("cannot delete %s", relative, exc_info=True)
