"""Reading the LIVECAM_* environment and the secret key kept in the data dir."""

from __future__ import annotations

import math
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    """Return an environment flag: 1/true/yes/on are true, 0/false/no/off false, else refused.

    A typo such as "ture" must not quietly mean false (LIVECAM_BEHIND_PROXY turns security on).
    """
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(
        f"{name} must be 1, true, yes, on, 0, false, no or off, not {value!r}"
    )


def env_int(name: str, default: int, low: int = 0, high: int | None = None) -> int:
    """Return a whole-number setting; a value that is not one, or out of range, is refused."""
    return int(_env_number(name, default, int, "a whole number", low, high))


def env_float(name: str, default: float, low: float = 0.0, high: float | None = None) -> float:
    """Return a number setting; a value that is not a finite number, or out of range, is refused."""
    return float(_env_number(name, default, float, "a finite number", low, high))


def _env_number(
    name: str,
    default: float,
    parse: Callable[[str], float],
    kind: str,
    low: float,
    high: float | None,
) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {kind}, not {raw!r}") from None
    if not math.isfinite(value):  # float("nan") parses, and passes every range check
        raise ImproperlyConfigured(f"{name} must be {kind}, not {raw!r}")
    if value < low or (high is not None and value > high):
        upper = f" and at most {high}" if high is not None else ""
        raise ImproperlyConfigured(f"{name} must be at least {low}{upper}, not {raw}")
    return value


def log_level(name: str, default: str) -> str:
    """Return a logging level name (DEBUG, INFO, WARNING, ERROR, CRITICAL), in upper case."""
    value = os.environ.get(name, "").strip().upper() or default
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ImproperlyConfigured(
            f"{name} must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {value!r}"
        )
    return value


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
