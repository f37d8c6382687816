"""``livecam share create|list|revoke``: view-only links to one camera for embedding."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from livecam import conf
from livecam.access import policy
from livecam.access.expiry import parse_expiry
from livecam.management.base import DatabaseCommand
from livecam.models import Camera, ShareLink


def share_paths(secret: str) -> tuple[str, str]:
    """Return the stream and snapshot paths of a share link."""
    return f"/share/{secret}/stream.mjpg", f"/share/{secret}/snapshot.jpg"


class Command(DatabaseCommand):
    """Create, list and revoke share links."""

    help = "Manage share links: create CAMERA [--expires 7d], list, revoke ID."

    def add_arguments(self, parser: CommandParser) -> None:
        """Define the sub-commands."""
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new view-only URL for CAMERA")
        create.add_argument("camera")
        create.add_argument("--label", default="")
        lifetime = create.add_mutually_exclusive_group()
        lifetime.add_argument(
            "--expires", default="7d", help="30m, 12h, 7d, 2w or an ISO date (default 7d)"
        )
        lifetime.add_argument("--never-expires", action="store_true", help="no expiry")
        create.add_argument(
            "--base-url",
            default="",
            help="e.g. https://cams.example.org, to print full URLs (default: LIVECAM_PUBLIC_URL)",
        )
        sub.add_parser("list", help="list share links (never their secrets)").add_argument(
            "camera", nargs="?"
        )
        sub.add_parser("revoke", help="revoke a share link").add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(options["camera"])
        else:
            updated = ShareLink.objects.filter(pk=options["id"], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if not updated:
                raise CommandError(f"no active share link {options['id']}")
            self.stdout.write(f"Revoked share link {options['id']}.")

    def _list(self, camera_id: str | None) -> None:
        links = ShareLink.objects.select_related("created_by")
        if camera_id:
            links = links.filter(camera_id=camera_id)
        for link in links:
            if link.revoked_at:
                state = "revoked"
            elif not link.usable:
                state = "expired"
            elif async_to_sync(policy.share_link_works)(link):
                state = "active"
            else:
                state = "stopped (its maker may no longer share)"
            until = link.expires_at.isoformat() if link.expires_at else "never"
            maker = link.created_by.get_username() if link.created_by else "site"
            self.stdout.write(
                f"{link.pk}\t{link.camera_id}\t{link.hint}…\t{link.label}\t{state}\t"
                f"expires {until}\tby {maker}"
            )

    def _create(self, options: dict[str, Any]) -> None:
        camera = Camera.objects.filter(pk=options["camera"]).first()
        if camera is None:
            raise CommandError(f"no camera '{options['camera']}'")
        expires = None
        if not options["never_expires"]:
            try:
                expires = parse_expiry(options["expires"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        _link, secret = ShareLink.issue(camera, label=options["label"], expires_at=expires)
        # Only an address someone set: the HOST:PORT guess may not be how viewers reach us.
        base = (options["base_url"] or str(conf.get("PUBLIC_URL") or "")).rstrip("/")
        stream, snapshot = share_paths(secret)
        self.stdout.write(f"stream:   {base}{stream}")
        self.stdout.write(f"snapshot: {base}{snapshot}")
