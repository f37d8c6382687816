"""Django admin for cameras and API tokens; saving a camera tells capture at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from livecam.cameras.validation import side_problem
from livecam.control import describe, notify_changed, notify_removed
from livecam.models import ApiToken, Camera, CameraAccess, ShareLink
from livecam.motion.admin import MotionSettingsInline
from livecam.templatetags.livecam_ui import state_label

admin.site.site_header = _("livecam administration")
admin.site.site_title = _("livecam admin")
admin.site.index_title = _("Cameras, users and access")
admin.site.site_url = "/"


class CameraAccessInline(admin.StackedInline):  # type: ignore[type-arg]
    """Restrict a camera to chosen users and groups (no row: every viewer sees it)."""

    model = CameraAccess
    extra = 0
    max_num = 1
    filter_horizontal = ["users", "groups"]


class CameraAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """The camera form with the rules the CLI and the API apply (livecam.cameras.validation)."""

    class Meta:
        model = Camera
        exclude: list[str] = []  # every editable field, like the default admin form

    def clean(self) -> dict[str, object]:
        """Add the rules beyond the model's own field validators (e.g. the smallest size)."""
        data = super().clean() or {}
        for side in ("width", "height"):
            problem = side_problem(data.get(side))
            if problem:
                self.add_error(side, problem)
        return data


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Cameras: sources are set here, by admins only."""

    form = CameraAdminForm
    inlines = [MotionSettingsInline, CameraAccessInline]

    list_display = ["id", "label", "state", "source_kind", "enabled", "on_demand", "live_view"]
    list_filter = ["enabled", "on_demand"]
    search_fields = ["id", "label"]

    @admin.display(description=_("state"))
    def state(self, obj: Camera) -> str:
        """Return the camera's state now (what capture reports), translated."""
        return state_label(describe(obj)["state"])

    @admin.display(description=_("source"))
    def source_kind(self, obj: Camera) -> str:
        """Return the kind of source (the address is on the camera's own admin page)."""
        return obj.source.split(":", 1)[0]

    @admin.display(description=_("live view"))
    def live_view(self, obj: Camera) -> str:
        """Link to the camera's page on the site."""
        return format_html(
            '<a href="{}">{}</a>', reverse("livecam:camera", args=[obj.id]), _("open")
        )

    def save_model(self, request: HttpRequest, obj: Camera, form: Any, change: bool) -> None:
        """Save, then tell capture to reconcile."""
        super().save_model(request, obj, form, change)
        notify_changed(obj.id)

    def delete_model(self, request: HttpRequest, obj: Camera) -> None:
        """Delete, then tell capture to reconcile."""
        camera_id = obj.id
        super().delete_model(request, obj)
        notify_removed(camera_id)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens: only hints are shown; values are never stored."""

    list_display = [
        "hint",
        "user",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "read_only",
        "limited",
    ]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    exclude = ["key_hash"]
    filter_horizontal = ["cameras"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Tokens are created with `livecam token create` (the value is shown once there)."""
        return False


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Share links: only hints are shown; secrets are never stored."""

    list_display = [
        "hint",
        "camera",
        "label",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = ["hint", "camera", "created_by", "created_at"]
    exclude = ["secret_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Links are made on the camera's share page or with `livecam share create`."""
        return False


from livecam import admin_users as _admin_users  # noqa: E402, F401 - users and groups
from livecam.motion import admin as _motion_admin  # noqa: E402, F401 - registers its models
from livecam.mqtt import admin as _mqtt_admin  # noqa: E402, F401 - MQTT and notification models
