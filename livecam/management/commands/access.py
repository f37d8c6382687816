"""``livecam access``: restrict cameras to chosen users and groups, or open them again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from livecam.management.base import DatabaseCommand
from livecam.models import Camera, CameraAccess


class Command(DatabaseCommand):
    """Show and change who may see each camera."""

    help = (
        "Per-camera access: show [CAMERA], restrict CAMERA, grant/revoke CAMERA "
        "[--user U] [--group G], open CAMERA."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Define the sub-commands."""
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show", help="who may see each camera").add_argument("camera", nargs="?")
        sub.add_parser("restrict", help="only admins and granted users see CAMERA").add_argument(
            "camera"
        )
        sub.add_parser("open", help="every viewer sees CAMERA again").add_argument("camera")
        for name in ("grant", "revoke"):
            command = sub.add_parser(name, help=f"{name} users/groups access to CAMERA")
            command.add_argument("camera")
            command.add_argument("--user", action="append", default=[])
            command.add_argument("--group", action="append", default=[])

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        action = options["action"]
        if action == "show":
            self._show(options["camera"])
            return
        camera = Camera.objects.filter(pk=options["camera"]).first()
        if camera is None:
            raise CommandError(f"no camera '{options['camera']}'")
        if action == "open":
            CameraAccess.objects.filter(camera=camera).delete()
            self.stdout.write(f"Camera '{camera.id}' is open to every viewer.")
            return
        with transaction.atomic():
            acl, _ = CameraAccess.objects.get_or_create(camera=camera)
            if action in ("grant", "revoke"):
                users = [_user(name) for name in options["user"]]
                groups = [_group(name) for name in options["group"]]
                if not users and not groups:
                    raise CommandError("name at least one --user or --group")
                if action == "grant":
                    acl.users.add(*users)
                    acl.groups.add(*groups)
                else:
                    acl.users.remove(*users)
                    acl.groups.remove(*groups)
                acl.save()
        self._show(camera.id)

    def _show(self, camera_id: str | None) -> None:
        cameras = Camera.objects.all()
        if camera_id:
            cameras = cameras.filter(pk=camera_id)
            if not cameras.exists():
                raise CommandError(f"no camera '{camera_id}'")
        for camera in cameras:
            acl = CameraAccess.objects.filter(camera=camera).first()
            if acl is None:
                self.stdout.write(f"{camera.id}\topen")
                continue
            users = ",".join(sorted(u.get_username() for u in acl.users.all())) or "-"
            groups = ",".join(sorted(g.name for g in acl.groups.all())) or "-"
            self.stdout.write(f"{camera.id}\trestricted\tusers={users}\tgroups={groups}")


def _user(name: str) -> Any:
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise CommandError(f"no user '{name}'")
    return user


def _group(name: str) -> Group:
    group = Group.objects.filter(name=name).first()
    if group is None:
        raise CommandError(f"no group '{name}'")
    return group
