"""``livecam token create|list|revoke``: API tokens for scripts, optionally scoped."""

from __future__ import annotations

import argparse
import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from livecam.access.expiry import parse_expiry
from livecam.management.base import DatabaseCommand
from livecam.models import ApiToken, Camera


class Command(DatabaseCommand):
    """Create, list and revoke API tokens."""

    help = "Manage API tokens: create USER, list, revoke ID."

    def add_arguments(self, parser: CommandParser) -> None:
        """Define the sub-commands."""
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new token for USER")
        create.add_argument("user")
        create.add_argument("--name", default="")
        create.add_argument(
            "--read-only", action="store_true", help="watch and read state only, never switch"
        )
        create.add_argument(
            "--camera",
            action="append",
            default=[],
            metavar="ID",
            help="limit the token to this camera (repeat for more)",
        )
        create.add_argument("--expires", default=None, help="30m, 12h, 7d, 2w or an ISO date")
        create.add_argument("--expires-days", type=float, default=None, help=argparse.SUPPRESS)
        sub.add_parser("list", help="list tokens (never their values)")
        sub.add_parser("revoke", help="revoke a token").add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list()
        else:
            updated = ApiToken.objects.filter(pk=options["id"], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if not updated:
                raise CommandError(f"no active token {options['id']}")
            self.stdout.write(f"Revoked token {options['id']}.")

    def _create(self, options: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user '{options['user']}'")
        expires: datetime.datetime | None = None
        if options["expires"]:
            try:
                expires = parse_expiry(options["expires"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        elif options["expires_days"]:
            expires = timezone.now() + datetime.timedelta(days=options["expires_days"])
        cameras = []
        for camera_id in dict.fromkeys(options["camera"]):
            camera = Camera.objects.filter(pk=camera_id).first()
            if camera is None:
                raise CommandError(f"no camera '{camera_id}'")
            cameras.append(camera)
        _token, raw = ApiToken.issue(
            user,
            name=options["name"],
            expires_at=expires,
            read_only=options["read_only"],
            cameras=cameras,
        )
        self.stdout.write(raw)

    def _list(self) -> None:
        tokens = ApiToken.objects.select_related("user").prefetch_related("cameras")
        for token in tokens:
            if token.revoked_at:
                state = "revoked"
            elif token.usable:
                state = "active"
            else:
                state = "expired"
            until = token.expires_at.isoformat() if token.expires_at else "never"
            scope = "read-only" if token.read_only else "read-write"
            cameras = ",".join(camera.id for camera in token.cameras.all())
            if not token.limited:
                cameras = "all cameras"
            elif not cameras:
                cameras = "no cameras (all removed)"
            self.stdout.write(
                f"{token.pk}\t{token.user}\t{token.hint}…\t{token.name}\t{state}\t"
                f"expires {until}\t{scope}\t{cameras}"
            )
