"""Django admin for motion settings, motion events and recordings (imported by livecam.admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from livecam.control import notify_changed
from livecam.motion.models import MotionEvent, MotionSettings
from livecam.recording.models import Recording


@admin.register(MotionSettings)
class MotionSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Per-camera motion, recording and retention settings; saving tells capture at once."""

    list_display = ["camera", "motion", "overlay", "record_on_motion", "recording", "max_age_days"]
    list_filter = ["motion", "record_on_motion"]
    fieldsets = [
        (None, {"fields": ["camera", "motion", "overlay", "webhook_url"]}),
        ("Sensitivity", {"fields": ["analysis_fps", "threshold", "min_area", "mask"]}),
        ("Recording", {"fields": ["recording", "record_on_motion", "pre_seconds", "post_seconds"]}),
        ("Retention", {"fields": ["max_age_days", "max_count"]}),
    ]

    def save_model(
        self, request: HttpRequest, obj: MotionSettings, form: Any, change: bool
    ) -> None:
        """Save, then tell capture to re-read."""
        super().save_model(request, obj, form, change)
        notify_changed(obj.camera_id)


@admin.register(MotionEvent)
class MotionEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Motion events (read-only: capture writes them)."""

    list_display = ["camera", "started_at", "ended_at", "peak_area"]
    list_filter = ["camera"]
    readonly_fields = ["camera", "started_at", "ended_at", "peak_area", "snapshot"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Refuse: events come from capture only."""
        return False


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Recordings (read-only: capture writes them; deleting removes the file)."""

    list_display = ["camera", "started_at", "trigger", "state", "duration", "size"]
    list_filter = ["camera", "trigger", "state"]
    readonly_fields = [
        "camera",
        "started_at",
        "ended_at",
        "trigger",
        "state",
        "duration",
        "frames",
        "size",
        "file",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Refuse: recordings come from capture only."""
        return False
