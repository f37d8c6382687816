"""Reading the LIVECAM_* environment and the secret key kept in the data dir."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    """Return an environment flag: 1/true/yes/on are true."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment list."""
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


def secret_key(data_dir: Path) -> str:
    """Return LIVECAM_SECRET_KEY, or a key generated once and kept (0600) in the data dir.

    Processes starting together all end up with the same key: each writes its candidate to a
    private temporary file and hard-links it into place, which succeeds for exactly one of
    them; the others read the winner's complete file (never a half-written one).
    """
    configured = os.environ.get("LIVECAM_SECRET_KEY")
    if configured:
        return configured
    path = data_dir / "secret_key"
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    fd, candidate = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(candidate, path)  # atomic, and fails if another process got there first
        except FileExistsError:
            pass
    finally:
        os.unlink(candidate)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it or set LIVECAM_SECRET_KEY")
    return key
