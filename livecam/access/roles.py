"""Roles: viewer, operator and admin, as Django groups with permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

VIEWER, OPERATOR, ADMIN = "viewer", "operator", "admin"
ROLES = (VIEWER, OPERATOR, ADMIN)
"""Role names, weakest first; each is also the name of its group."""

_VIEWER_PERMS = ["livecam.view_camera"]
_OPERATOR_PERMS = [*_VIEWER_PERMS, "livecam.switch_camera"]
_ADMIN_PERMS = [
    *_OPERATOR_PERMS,
    *(f"livecam.{action}_camera" for action in ("add", "change", "delete")),
    *(
        f"livecam.{action}_{model}"
        for model in (
            "apitoken",
            "cameraaccess",
            "sharelink",
            "motionsettings",
            "motionevent",
            "recording",
        )
        for action in ("add", "change", "delete", "view")
    ),
    "livecam.view_metrics",
    "livecam.see_all_cameras",
    *(
        f"auth.{action}_{model}"
        for model in ("user", "group")
        for action in ("add", "change", "delete", "view")
    ),
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    VIEWER: _VIEWER_PERMS,
    OPERATOR: _OPERATOR_PERMS,
    ADMIN: _ADMIN_PERMS,
}
"""Permissions ("app.codename") of each role; migration 0002 creates the same groups."""


def ensure_groups() -> dict[str, Group]:
    """Create or repair the role groups and their permissions; return them by role."""
    groups = {}
    with transaction.atomic():
        for role, perms in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=role)
            wanted = []
            for perm in perms:
                app_label, codename = perm.split(".")
                wanted.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            group.permissions.set(wanted)
            groups[role] = group
    return groups


def set_role(user: Any, role: str) -> None:
    """Give a user exactly one role (admins may use the Django admin, others may not)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    groups = ensure_groups()
    with transaction.atomic():
        user.groups.remove(*groups.values())
        user.groups.add(groups[role])
        user.is_staff = role == ADMIN
        user.save(update_fields=["is_staff"])


def role_of(user: Any) -> str:
    """Return the strongest role of a user ("admin" for superusers, "" for none)."""
    if user.is_superuser:
        return ADMIN
    names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    for role in reversed(ROLES):
        if role in names:
            return role
    return ""
