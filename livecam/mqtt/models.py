"""What the MQTT bridge may tell about a camera and do to it (an admin setting per camera)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class MqttSettings(models.Model):
    """Per camera: state on the broker (default yes), commands from it (default no)."""

    camera = models.OneToOneField(
        "livecam.Camera", primary_key=True, on_delete=models.CASCADE, related_name="mqtt_settings"
    )
    exposed = models.BooleanField(
        _("publish to MQTT"),
        default=True,
        help_text=_("State, motion and snapshots on the broker; Home Assistant discovers it"),
    )
    commands = models.BooleanField(
        _("accept MQTT commands"),
        default=False,
        help_text=_("Anyone the broker lets publish to …/power/set may then switch this camera"),
    )
    snapshot_interval = models.FloatField(
        _("snapshot every (seconds)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(86400)],
        help_text=_("Publish a snapshot this often (0: only when motion starts)"),
    )

    class Meta:
        app_label = "livecam"
        verbose_name = _("MQTT settings")
        verbose_name_plural = _("MQTT settings")

    def __str__(self) -> str:
        return str(self.camera_id)
