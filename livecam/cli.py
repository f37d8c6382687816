"""The ``livecam`` command: livecam's own commands plus every Django management command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run ``livecam <command> …`` with the bundled site's settings unless others are set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livecam.site.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    try:
        # Loaded here, not inside Django's command runner, which would hide a bad setting
        # behind "Unknown command" (it then only knows its own commands).
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(["livecam", *args])
    except ImproperlyConfigured as exc:  # a bad LIVECAM_* value: one line, not a traceback
        sys.stderr.write(f"livecam: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
