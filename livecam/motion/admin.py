"""Django admin for motion events and recordings, and the motion settings inline of a camera."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from livecam.motion.models import MotionEvent, MotionSettings
from livecam.recording.models import Recording, Segment


class MotionSettingsInline(admin.StackedInline):  # type: ignore[type-arg]
    """A camera's motion, recording and retention settings, on the camera's admin page."""

    model = MotionSettings
    extra = 1
    max_num = 1
    can_delete = False
    fieldsets = [
        (None, {"fields": ["motion", "overlay", "webhook_url"]}),
        (_("Sensitivity"), {"fields": ["analysis_fps", "threshold", "min_area", "mask"]}),
        (
            _("Recording"),
            {"fields": ["recording", "record_on_motion", "pre_seconds", "post_seconds"]},
        ),
        (_("Continuous recording"), {"fields": ["continuous", "schedule", "max_gb"]}),
        (_("Retention"), {"fields": ["max_age_days", "max_count"]}),
    ]


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


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Continuous-recording segments (capture writes them; "keep" spares one from retention)."""

    list_display = ["camera", "start", "end", "frames", "bytes", "keep", "writing"]
    list_filter = ["camera", "keep"]
    fields = ["camera", "start", "end", "frames", "bytes", "path", "writing", "keep"]
    readonly_fields = ["camera", "start", "end", "frames", "bytes", "path", "writing"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Refuse: segments come from capture only."""
        return False
