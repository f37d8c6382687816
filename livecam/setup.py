"""First-run setup shared by the commands: the admin user and the demo camera."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model

from livecam.models import Camera

ADMIN_USERNAME = "admin"


def ensure_admin() -> str | None:
    """Create the ``admin`` superuser on first run; return a generated password, if any.

    The password is LIVECAM_ADMIN_PASSWORD, or a random one that is returned (to be printed
    once). Nothing happens when any superuser exists: there is never a default password.
    """
    users = get_user_model()
    if users.objects.filter(is_superuser=True).exists():
        return None
    password = os.environ.get("LIVECAM_ADMIN_PASSWORD") or ""
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    users.objects.create_superuser(ADMIN_USERNAME, email="", password=password)
    return password if generated else None


def ensure_demo_camera() -> bool:
    """Add the test-pattern camera ``demo`` when no camera exists; return True if added."""
    if Camera.objects.exists():
        return False
    Camera.objects.create(
        id="demo",
        label="Demo (test pattern)",
        source="pattern:",
        width=640,
        height=480,
        fps=30,
    )
    return True
