"""Motion and recording settings of a camera, and the motion events detected."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from livecam.recording.schedule import validate as validate_schedule


def validate_mask(value: str) -> None:
    """Reject a mask the detector could not use, with the reason."""
    from livecam.motion.detector import parse_mask

    try:
        parse_mask(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="mask") from exc


class MotionSettings(models.Model):
    """Motion detection, recording and retention of one camera (everything off by default)."""

    camera = models.OneToOneField(
        "livecam.Camera", primary_key=True, on_delete=models.CASCADE, related_name="motion_settings"
    )
    motion = models.BooleanField(_("detect motion"), default=False)
    analysis_fps = models.FloatField(
        _("analyses per second"),
        default=5,
        validators=[MinValueValidator(0.5), MaxValueValidator(30)],
    )
    threshold = models.PositiveSmallIntegerField(
        _("threshold"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(255)],
        help_text=_("Grey-level change that counts (lower is more sensitive)"),
    )
    min_area = models.FloatField(
        _("minimum area (%)"),
        default=0.5,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
        help_text=_("Smallest moving region that counts, in percent of the frame"),
    )
    mask = models.CharField(
        _("ignored regions"),
        max_length=500,
        blank=True,
        validators=[validate_mask],
        help_text=_("x,y,w,h in percent of the frame; several separated by ';'"),
    )
    overlay = models.BooleanField(
        _("draw motion box and time"), default=False, help_text=_("On the streamed frames")
    )
    webhook_url = models.CharField(
        _("webhook URL"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("POSTs JSON on motion start and end"),
    )
    record_on_motion = models.BooleanField(_("record while motion"), default=False)
    pre_seconds = models.FloatField(
        _("seconds before motion"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )
    post_seconds = models.FloatField(
        _("seconds after motion"),
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(300)],
    )
    recording = models.BooleanField(
        _("recording"), default=False, help_text=_("Set by the Record/Stop button")
    )
    max_age_days = models.FloatField(
        _("keep for days"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text=_("Events and recordings older than this are deleted (0: keep)"),
    )
    max_count = models.PositiveIntegerField(
        _("keep at most"),
        default=1000,
        validators=[MaxValueValidator(1_000_000)],
        help_text=_("Events, and recordings, per camera beyond this are deleted (0: no limit)"),
    )

    continuous = models.BooleanField(
        _("record continuously"),
        default=False,
        help_text=_("Record all the time (or during the schedule) into segments"),
    )
    schedule = models.CharField(
        _("schedule"),
        max_length=200,
        blank=True,
        validators=[validate_schedule],
        help_text=_("When continuous recording runs, e.g. mon-fri 18:00-08:00 (empty: always)"),
    )
    max_gb = models.FloatField(
        _("disk budget (GB)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1_000_000)],
        help_text=_("Oldest segments are deleted beyond this size (0: no per-camera budget)"),
    )

    class Meta:
        app_label = "livecam"
        verbose_name = _("motion and recording settings")
        verbose_name_plural = _("motion and recording settings")

    def __str__(self) -> str:
        return str(self.camera_id)


class MotionEvent(models.Model):
    """One stretch of motion at a camera, with the snapshot of its strongest moment."""

    camera = models.ForeignKey(
        "livecam.Camera", on_delete=models.CASCADE, related_name="motion_events"
    )
    started_at = models.DateTimeField(_("started"), db_index=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    peak_area = models.FloatField(_("peak area"), default=0, help_text=_("Share of the frame"))
    snapshot = models.CharField(max_length=200, blank=True, editable=False)
    """Path of the snapshot JPEG relative to the media folder (generated, never user input)."""

    class Meta:
        app_label = "livecam"
        ordering = ["-started_at", "-id"]
        verbose_name = _("motion event")
        verbose_name_plural = _("motion events")

    def __str__(self) -> str:
        return f"{self.camera_id} {self.started_at:%Y-%m-%d %H:%M:%S}"


@receiver(post_delete, sender=MotionEvent)
def _remove_snapshot(sender: type[MotionEvent], instance: MotionEvent, **kwargs: object) -> None:
    """Delete the snapshot file with its event (retention, admin, camera removal)."""
    from livecam.motion.files import remove

    remove(instance.snapshot)
