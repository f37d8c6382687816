"""Django admin for what each camera shows on the broker and takes from it."""

from __future__ import annotations

from django.contrib import admin

from livecam.mqtt.models import MqttSettings
from livecam.notify.models import NotificationProfile, NotificationRule


@admin.register(MqttSettings)
class MqttSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Per camera: exposed (state, motion, snapshots) and commands (the bridge re-reads in 2 s)."""

    list_display = ["camera", "exposed", "commands", "snapshot_interval"]
    list_filter = ["exposed", "commands"]


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Who is told about which camera (users set their own on their notifications page)."""

    list_display = ["user", "camera", "motion", "offline", "min_interval"]
    list_filter = ["motion", "offline"]


@admin.register(NotificationProfile)
class NotificationProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """E-mail switch and quiet hours per user."""

    list_display = ["user", "email", "quiet_start", "quiet_end"]
