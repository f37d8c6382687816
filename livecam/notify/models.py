"""Who wants to hear what about which camera, and when not."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationRule(models.Model):
    """One user's wishes for one camera (no row: nothing is sent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_rules"
    )
    camera = models.ForeignKey(
        "livecam.Camera", on_delete=models.CASCADE, related_name="notification_rules"
    )
    motion = models.BooleanField(_("motion started"), default=False)
    offline = models.BooleanField(_("went offline / came back"), default=False)
    min_interval = models.FloatField(
        _("at most one every (minutes)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(1440)],
    )

    class Meta:
        app_label = "livecam"
        constraints = [
            models.UniqueConstraint(fields=["user", "camera"], name="one_rule_per_user_camera")
        ]
        verbose_name = _("notification rule")

    def __str__(self) -> str:
        return f"{self.user_id} {self.camera_id}"


class NotificationProfile(models.Model):
    """One user's e-mail switch and quiet hours (server time zone)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_profile",
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    quiet_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        app_label = "livecam"
        verbose_name = _("notification profile")

    def __str__(self) -> str:
        return str(self.user_id)
