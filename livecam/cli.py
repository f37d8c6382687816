"""The ``livecam`` command: livecam's own commands plus every Django management command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run ``livecam <command> …`` with the bundled site's settings unless others are set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livecam.site.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["livecam", *args])


if __name__ == "__main__":
    main()
