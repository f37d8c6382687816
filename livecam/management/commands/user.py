"""``livecam user add|list|set-role|disable|enable``: people and their roles."""

from __future__ import annotations

import os
import secrets
import sys
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from livecam.access.roles import ROLES, role_of, set_role
from livecam.management.base import DatabaseCommand


class Command(DatabaseCommand):
    """Add users with a role, list them, change roles, disable and enable them."""

    help = "Manage users: add NAME --role viewer|operator|admin, list, set-role, disable, enable."

    def add_arguments(self, parser: CommandParser) -> None:
        """Define the sub-commands."""
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a user with a role (prints a password if generated)")
        add.add_argument("name")
        add.add_argument("--role", choices=ROLES, required=True)
        add.add_argument("--email", default="")
        add.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (else LIVECAM_USER_PASSWORD, else random)",
        )
        sub.add_parser("list", help="list users with their roles")
        role = sub.add_parser("set-role", help="give a user another role")
        role.add_argument("name")
        role.add_argument("role", choices=ROLES)
        for action in ("disable", "enable"):
            sub.add_parser(action, help=f"{action} a user (open streams close)").add_argument(
                "name"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen sub-command."""
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            self._list()
        else:
            user = _get_user(options["name"])
            if action == "set-role":
                set_role(user, options["role"])
                self.stdout.write(f"User '{user.get_username()}' is now {options['role']}.")
            else:
                user.is_active = action == "enable"
                user.save(update_fields=["is_active"])
                self.stdout.write(f"User '{user.get_username()}' is {action}d.")

    def _add(self, options: dict[str, Any]) -> None:
        users = get_user_model()
        name = options["name"]
        if users.objects.filter(username=name).exists():
            raise CommandError(f"user '{name}' already exists")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = os.environ.get("LIVECAM_USER_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user = users(username=name, email=options["email"])
        try:
            users._meta.get_field("username").run_validators(name)
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            set_role(user, options["role"])
        self.stdout.write(f"Added user '{name}' ({options['role']}).")
        if generated:
            self.stdout.write(f"Password (shown once): {password}")

    def _list(self) -> None:
        rows = [("USER", "ROLE", "ACTIVE")]
        for user in get_user_model().objects.order_by("username"):
            active = "yes" if user.is_active else "no"
            rows.append((user.get_username(), role_of(user) or "-", active))
        width = [max(len(row[i]) for row in rows) for i in range(2)]
        for row in rows:
            self.stdout.write(f"{row[0].ljust(width[0])}  {row[1].ljust(width[1])}  {row[2]}")


def _get_user(name: str) -> Any:
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise CommandError(f"no user '{name}'")
    return user
