"""Django admin for cameras and API tokens; saving a camera tells capture at once."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from livecam.control import notify_changed
from livecam.models import ApiToken, Camera, CameraAccess, ShareLink


class CameraAccessInline(admin.StackedInline):  # type: ignore[type-arg]
    """Restrict a camera to chosen users and groups (no row: every viewer sees it)."""

    model = CameraAccess
    extra = 0
    max_num = 1
    filter_horizontal = ["users", "groups"]


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Cameras: sources are set here, by admins only."""

    inlines = [CameraAccessInline]

    list_display = ["id", "label", "enabled", "on_demand", "width", "height", "fps"]
    list_filter = ["enabled", "on_demand"]
    search_fields = ["id", "label"]

    def save_model(self, request: HttpRequest, obj: Camera, form: Any, change: bool) -> None:
        """Save, then tell capture to reconcile."""
        super().save_model(request, obj, form, change)
        notify_changed(obj.id)

    def delete_model(self, request: HttpRequest, obj: Camera) -> None:
        """Delete, then tell capture to reconcile."""
        camera_id = obj.id
        super().delete_model(request, obj)
        notify_changed(camera_id)


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


from livecam.motion import admin as _motion_admin  # noqa: E402, F401 - registers its models
