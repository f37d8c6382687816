"""The livecam Django app."""

from django.apps import AppConfig


class LivecamConfig(AppConfig):
    """Register livecam's checks and admin."""

    name = "livecam"
    verbose_name = "livecam"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Keep share-link secrets out of every log handler attached so far."""
        from livecam import logs

        logs.install()
