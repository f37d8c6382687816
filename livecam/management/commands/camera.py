"""``livecam camera add|list|on|off|remove``: manage cameras from the command line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from livecam.control import notify_changed
from livecam.models import Camera


class Command(BaseCommand):
    """Add, list, switch and remove cameras."""

    help = "Manage cameras: add, list, on, off, remove."

    def add_arguments(self, parser: CommandParser) -> None:
        """Define the sub-commands."""
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a camera")
        add.add_argument("id", help="a slug, e.g. 'printer'")
        add.add_argument("source", help="pattern:, device:0, file:/path, rtsp://…, mjpeg+http://…")
        add.add_argument("--label", default="")
        add.add_argument("--width", type=int, default=0)
        add.add_argument("--height", type=int, default=0)
        add.add_argument("--fps", type=float, default=0.0)
        add.add_argument("--quality", type=int, default=80)
        add.add_argument("--rotation", type=int, default=0, choices=[0, 90, 180, 270])
        add.add_argument("--on-demand", action="store_true", help="release when nobody watches")
        add.add_argument("--linger", type=float, default=10.0)
        add.add_argument("--off", action="store_true", help="add it switched OFF")
        sub.add_parser("list", help="list cameras")
        for name in ("on", "off", "remove"):
            sub.add_parser(name, help=f"{name} a camera").add_argument("id")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            self._list()
        else:
            camera = Camera.objects.filter(pk=options["id"]).first()
            if camera is None:
                raise CommandError(f"no camera '{options['id']}'")
            if action == "remove":
                camera.delete()
                self.stdout.write(f"Removed camera '{camera.id}'.")
            else:
                camera.enabled = action == "on"
                camera.save(update_fields=["enabled", "updated_at"])
                self.stdout.write(f"Camera '{camera.id}' is {action.upper()}.")
            notify_changed(camera.id)

    def _add(self, options: dict[str, Any]) -> None:
        camera = Camera(
            id=options["id"],
            source=options["source"],
            label=options["label"],
            width=options["width"],
            height=options["height"],
            fps=options["fps"],
            quality=options["quality"],
            rotation=options["rotation"],
            on_demand=options["on_demand"],
            linger=options["linger"],
            enabled=not options["off"],
        )
        try:
            camera.full_clean()
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
            )
            raise CommandError(problems) from exc
        camera.save(force_insert=True)
        notify_changed(camera.id)
        self.stdout.write(f"Added camera '{camera.id}' ({'OFF' if options['off'] else 'ON'}).")

    def _list(self) -> None:
        rows = [("ID", "ON/OFF", "SOURCE", "LABEL")]
        for camera in Camera.objects.all():
            kind = camera.source.split(":", 1)[0]
            rows.append((camera.id, "on" if camera.enabled else "off", kind, camera.label))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
            self.stdout.write("  ".join(cells).rstrip())
