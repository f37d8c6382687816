"""``livecam config export|import``: the configuration as a JSON file (no secrets)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser

from livecam.cameras.config_io import ConfigError, export_config, import_config
from livecam.control import notify_changed
from livecam.management.base import DatabaseCommand


class Command(DatabaseCommand):
    """Export or import cameras, their settings and access lists."""

    help = "Export the configuration as JSON, or import it from a file ('-' for stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        """Define the sub-commands."""
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("export", help="print the configuration as JSON")
        imported = sub.add_parser("import", help="import a configuration file")
        imported.add_argument("file", help="a JSON file from 'livecam config export', or -")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        if options["action"] == "export":
            self.stdout.write(json.dumps(export_config(), indent=2, sort_keys=True))
            return
        try:
            if options["file"] == "-":
                data = json.load(sys.stdin)
            else:
                with open(options["file"], encoding="utf-8") as handle:
                    data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        try:
            ids = import_config(data)
        except ConfigError as exc:
            raise CommandError("nothing imported: " + "; ".join(exc.problems)) from exc
        for camera_id in ids:
            notify_changed(camera_id)
        self.stdout.write(f"Imported {len(ids)} camera(s): {', '.join(ids)}")
