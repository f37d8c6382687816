"""Recordings: MP4 files of a camera, started by an operator or by motion."""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

TRIGGERS = [("manual", _("manual")), ("motion", _("motion"))]
STATES = [("recording", _("recording")), ("done", _("done")), ("failed", _("failed"))]


class Recording(models.Model):
    """One recording file and what it holds."""

    camera = models.ForeignKey(
        "livecam.Camera", on_delete=models.CASCADE, related_name="recordings"
    )
    started_at = models.DateTimeField(_("started"), db_index=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=TRIGGERS, default="manual")
    state = models.CharField(_("state"), max_length=10, choices=STATES, default="recording")
    duration = models.FloatField(_("duration (s)"), default=0)
    frames = models.PositiveIntegerField(_("frames"), default=0)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    file = models.CharField(max_length=200, editable=False)
    """Path of the MP4 relative to the media folder (generated, never user input)."""

    class Meta:
        app_label = "livecam"
        ordering = ["-started_at", "-id"]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"{self.camera_id} {self.started_at:%Y-%m-%d %H:%M:%S}"


@receiver(post_delete, sender=Recording)
def _remove_file(sender: type[Recording], instance: Recording, **kwargs: object) -> None:
    """Delete the MP4 with its recording (retention, admin, camera removal)."""
    from livecam.motion.files import remove

    remove(instance.file)
    remove(instance.file + ".part")  # left behind when capture died mid-recording
