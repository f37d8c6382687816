"""``livecam camera add|list|on|off|remove``: manage cameras from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError, CommandParser

from livecam.cameras import service
from livecam.cameras.validation import CameraInvalidError
from livecam.control import notify_changed, notify_removed
from livecam.management.base import DatabaseCommand
from livecam.models import Camera


class Command(DatabaseCommand):
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
        add.add_argument(
            "--bitrate", type=int, default=0, help="H.264 cap in kbit/s (0: default for the size)"
        )
        add.add_argument(
            "--keyframe-interval", type=float, default=1.0, help="seconds between H.264 keyframes"
        )
        add.add_argument("--off", action="store_true", help="add it switched OFF")
        sub.add_parser("list", help="list cameras")
        rec = sub.add_parser("recording", help="show or change continuous recording")
        rec.add_argument("id")
        rec.add_argument(
            "--continuous", action=argparse.BooleanOptionalAction, help="record all the time"
        )
        rec.add_argument("--schedule", help='weekly, e.g. "mon-fri 18:00-08:00" ("" = always)')
        rec.add_argument("--max-gb", type=float, help="disk budget of its segments (0: none)")
        for name in ("on", "off", "remove"):
            sub.add_parser(name, help=f"{name} a camera").add_argument("id")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            self._list()
        elif action == "recording":
            self._recording(options)
        else:
            camera = Camera.objects.filter(pk=options["id"]).first()
            if camera is None:
                raise CommandError(f"no camera '{options['id']}'")
            camera_id = camera.id  # delete() clears the instance's primary key
            if action == "remove":
                camera.delete()
                notify_removed(camera_id)
                self.stdout.write(f"Removed camera '{camera_id}'.")
            else:
                camera.enabled = action == "on"
                camera.save(update_fields=["enabled", "updated_at"])
                notify_changed(camera_id)
                self.stdout.write(f"Camera '{camera_id}' is {action.upper()}.")

    def _add(self, options: dict[str, Any]) -> None:
        fields = {
            "id": options["id"],
            "source": options["source"],
            "label": options["label"],
            "width": options["width"],
            "height": options["height"],
            "fps": options["fps"],
            "quality": options["quality"],
            "rotation": options["rotation"],
            "on_demand": options["on_demand"],
            "linger": options["linger"],
            "bitrate": options["bitrate"],
            "keyframe_interval": options["keyframe_interval"],
            "enabled": not options["off"],
        }
        try:  # the same rules as the API and the admin (livecam.cameras.validation)
            camera = service.create(fields)
        except CameraInvalidError as exc:
            raise CommandError(str(exc)) from exc
        except service.CameraExistsError:
            raise CommandError(f"id: a camera '{fields['id']}' already exists") from None
        notify_changed(camera.id)
        self.stdout.write(f"Added camera '{camera.id}' ({'OFF' if options['off'] else 'ON'}).")

    def _recording(self, options: dict[str, Any]) -> None:
        from django.core.exceptions import ValidationError

        from livecam.motion.models import MotionSettings

        camera = Camera.objects.filter(pk=options["id"]).first()
        if camera is None:
            raise CommandError(f"no camera '{options['id']}'")
        settings, _ = MotionSettings.objects.get_or_create(camera_id=camera.id)
        changed = {
            name: options[name]
            for name in ("continuous", "schedule", "max_gb")
            if options[name] is not None
        }
        for name, value in changed.items():
            setattr(settings, name, value)
        try:  # the same rules as the API and the admin
            settings.full_clean()
        except ValidationError as exc:
            reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(reasons) from None
        if changed:
            settings.save(update_fields=list(changed))
            notify_changed(camera.id)
        self.stdout.write(
            f"continuous: {'on' if settings.continuous else 'off'}\n"
            f"schedule: {settings.schedule or '(always)'}\n"
            f"max_gb: {settings.max_gb:g}"
        )

    def _list(self) -> None:
        rows = [("ID", "ON/OFF", "SOURCE", "LABEL")]
        for camera in Camera.objects.all():
            kind = camera.source.split(":", 1)[0]
            rows.append((camera.id, "on" if camera.enabled else "off", kind, camera.label))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
            self.stdout.write("  ".join(cells).rstrip())
