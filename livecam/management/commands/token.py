"""``livecam token create|list|revoke``: API tokens for scripts."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from livecam.models import ApiToken


class Command(BaseCommand):
    """Create, list and revoke API tokens."""

    help = "Manage API tokens: create USER, list, revoke ID."

    def add_arguments(self, parser: CommandParser) -> None:
        """Define the sub-commands."""
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="print a new token for USER")
        create.add_argument("user")
        create.add_argument("--name", default="")
        create.add_argument("--expires-days", type=float, default=None)
        sub.add_parser("list", help="list tokens (never their values)")
        sub.add_parser("revoke", help="revoke a token").add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        action = options["action"]
        if action == "create":
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user '{options['user']}'")
            days = options["expires_days"]
            expires: datetime.datetime | None = (
                timezone.now() + datetime.timedelta(days=days) if days else None
            )
            _token, raw = ApiToken.issue(user, name=options["name"], expires_at=expires)
            self.stdout.write(raw)
        elif action == "list":
            for token in ApiToken.objects.select_related("user"):
                state = "revoked" if token.revoked_at else "active"
                until = token.expires_at.isoformat() if token.expires_at else "never"
                self.stdout.write(
                    f"{token.pk}\t{token.user}\t{token.hint}…\t{token.name}\t{state}\t"
                    f"expires {until}"
                )
        else:
            updated = ApiToken.objects.filter(pk=options["id"], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if not updated:
                raise CommandError(f"no active token {options['id']}")
            self.stdout.write(f"Revoked token {options['id']}.")
