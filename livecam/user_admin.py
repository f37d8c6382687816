"""Django admin for users: a new user gets a role (viewer, operator, admin) when created."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from livecam.access.roles import ADMIN, OPERATOR, VIEWER, role_of, set_role

ROLE_CHOICES = [
    (VIEWER, _("viewer: watches cameras")),
    (OPERATOR, _("operator: also switches cameras and records")),
    (ADMIN, _("admin: also manages cameras, users and share links")),
]


class UserWithRoleCreationForm(AdminUserCreationForm):
    """The admin's add-user form, with the role to give."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=ROLE_CHOICES,
        initial=VIEWER,
        help_text=_("What the user may do; without a role a user sees no camera."),
    )


class RoleUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Users with their role in the list and a role picked when adding one."""

    add_form = UserWithRoleCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2", "role"),
            },
        ),
    )
    list_display = ("username", "role", "email", "is_active", "last_login")

    @admin.display(description=_("role"))
    def role(self, obj: Any) -> str:
        """Return the user's role, or a dash when they have none."""
        return role_of(obj) or "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save, then give a new user the role chosen in the form."""
        super().save_model(request, obj, form, change)
        if not change and "role" in form.cleaned_data:
            set_role(obj, form.cleaned_data["role"])
