"""The livecam Django app."""

from django.apps import AppConfig


class LivecamConfig(AppConfig):
    """Register livecam's checks and admin."""

    name = "livecam"
    verbose_name = "livecam"
    default_auto_field = "django.db.models.BigAutoField"
