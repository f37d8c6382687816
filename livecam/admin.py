"""Django admin for cameras and API tokens; saving a camera tells capture at once."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from livecam.control import notify_changed
from livecam.models import ApiToken, Camera


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Cameras: sources are set here, by admins only."""

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
    ]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Tokens are created with `livecam token create` (the value is shown once there)."""
        return False


from livecam.motion import admin as _motion_admin  # noqa: E402, F401 - registers its models
