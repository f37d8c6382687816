"""First-run setup shared by the commands: migrations, the admin user and the demo camera.

Any number of ``serve``/``capture`` processes may start at once on a fresh database: all of
it runs under the database's setup lock, so exactly one of them migrates and creates each row.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction

from livecam.models import Camera
from livecam.setup_lock import setup_lock

ADMIN_USERNAME = "admin"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SetupResult:
    """What this process's setup did: a generated admin password to show, a demo camera added."""

    password: str | None = None
    demo_added: bool = False


def prepare(admin: bool = True, demo: bool = False) -> SetupResult:
    """Migrate, then ensure the admin user (and the demo camera), one process at a time."""
    with setup_lock():
        call_command("migrate", interactive=False, verbosity=0)
        password = ensure_admin() if admin else None
        demo_added = ensure_demo_camera() if demo else False
    return SetupResult(password, demo_added)


def ensure_schema() -> None:
    """Migrate a database that is not set up yet (a command run before the first ``serve``).

    Checking costs a few milliseconds; migrating runs under the setup lock, like `prepare`.
    """
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        with setup_lock():
            call_command("migrate", interactive=False, verbosity=0)


def password_notice(password: str) -> str:
    """Return the lines that show a generated admin password once."""
    return (
        f"Created user '{ADMIN_USERNAME}' with password: {password}\n"
        f"(shown once; change it with `livecam changepassword {ADMIN_USERNAME}`)"
    )


def check_password(password: str) -> None:
    """Refuse a LIVECAM_ADMIN_PASSWORD that Django's password rules refuse for any user."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ImproperlyConfigured, ValidationError

    try:
        validate_password(password, get_user_model()(username=ADMIN_USERNAME))
    except ValidationError as exc:
        reasons = " ".join(exc.messages)
        raise ImproperlyConfigured(f"LIVECAM_ADMIN_PASSWORD is refused: {reasons}") from None


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
    else:
        check_password(password)
    try:
        with transaction.atomic():
            users.objects.create_superuser(ADMIN_USERNAME, email="", password=password)
    except IntegrityError:
        # Made meanwhile by a process not holding the setup lock (an older version, or
        # `livecam createsuperuser`), or a non-superuser already named admin: keep theirs.
        logger.warning("user %r exists already; not creating it", ADMIN_USERNAME)
        return None
    return password if generated else None


def ensure_demo_camera() -> bool:
    """Add the test-pattern camera ``demo`` when no camera exists; return True if added."""
    if Camera.objects.exists():
        return False
    try:
        with transaction.atomic():
            Camera.objects.create(
                id="demo",
                label="Demo (test pattern)",
                source="pattern:",
                width=640,
                height=480,
                fps=30,
            )
    except IntegrityError:
        return False  # added meanwhile by a process outside the setup lock
    return True
