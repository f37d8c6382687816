"""Users and groups in the Django admin: livecam admins hand out roles, never superuser powers.

Django's own user admin lets anyone with ``change_user`` (every livecam admin) tick
``is_superuser`` for themselves, join any group and take any permission. Here only superusers
change ``is_staff``, ``is_superuser``, groups, user permissions and group permissions, and
only superusers change or delete a superuser's account (its password included). Other admins
pick one of the livecam roles (viewer, operator, admin) with the *role* field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from livecam.access.roles import ROLES, role_of, set_role
from livecam.user_admin import RoleUserAdmin

_SUPERUSER_ONLY = ("is_staff", "is_superuser", "groups", "user_permissions")


class RoleChangeForm(UserChangeForm):  # type: ignore[type-arg]
    """The user change form with the livecam role in place of groups and permissions."""

    role = forms.ChoiceField(
        label=_("role"),
        choices=[(role, role) for role in ROLES],
        help_text=_("Viewer watches, operator also switches cameras, admin manages livecam."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["role"].initial = role_of(self.instance) or None


class LivecamUserAdmin(RoleUserAdmin):
    """Users with roles, and superuser-only fields kept from other admins."""

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """Show non-superusers the role instead of groups and permissions."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        shown = ("is_active", "role", "is_staff", "is_superuser", "groups")
        return [
            (name, {**options, "fields": shown})
            if "is_superuser" in options["fields"]
            else (name, options)
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Superuser-only fields are read-only for everyone else."""
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        return (*readonly, *_SUPERUSER_ONLY)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """Use the role form for non-superusers changing a user."""
        if obj is not None and not request.user.is_superuser:
            kwargs["form"] = RoleChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save, then give the chosen role (which also sets ``is_staff`` for admins)."""
        super().save_model(request, obj, form, change)
        role = form.cleaned_data.get("role") if "role" in form.fields else None
        if role and role != role_of(obj):
            set_role(obj, role)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Only superusers change a superuser (or set its password)."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Only superusers delete a superuser."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Delete the selected users; superusers only by superusers (bulk action)."""
        if not request.user.is_superuser:
            queryset = queryset.exclude(is_superuser=True)
        super().delete_queryset(request, queryset)


class LivecamGroupAdmin(GroupAdmin):
    """Django's group admin; only superusers give groups permissions or touch the roles."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Permissions (and a role group's name) are read-only for non-superusers."""
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        if obj is not None and obj.name in ROLES:
            return (*readonly, "name", "permissions")
        return (*readonly, "permissions")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Let only superusers delete the role groups."""
        if obj is not None and obj.name in ROLES and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Delete the selected groups; role groups only by superusers (bulk action)."""
        if not request.user.is_superuser:
            queryset = queryset.exclude(name__in=ROLES)
        super().delete_queryset(request, queryset)


# Only over Django's own admins: a project with its own user model keeps its own admin.
for model, model_admin in ((User, LivecamUserAdmin), (Group, LivecamGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
