"""Recordings: MP4 files of a camera, started by an operator or by motion."""

from __future__ import annotations

import logging

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

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
    owner = models.CharField(max_length=120, blank=True, editable=False)
    """Identity (host:pid:random) of the capture process writing it; only it may end it."""
    error = models.CharField(_("error"), max_length=200, blank=True)
    """Why the recording ended early (disk full, interrupted), kept with what was written."""

    class Meta:
        app_label = "livecam"
        ordering = ["-started_at", "-id"]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"{self.camera_id} {self.started_at:%Y-%m-%d %H:%M:%S}"


@receiver(post_delete, sender=Recording)
def _remove_file(sender: type[Recording], instance: Recording, **kwargs: object) -> None:
    """Delete the MP4 with its recording (retention, admin, camera removal).

    A file some process is still writing is never deleted (see `livecam.recording.lock`).
    """
    from livecam.motion.files import remove, resolve
    from livecam.recording.lock import being_written

    for name in (instance.file, instance.file + ".part"):  # .part: capture died mid-recording
        path = resolve(name)
        if path is not None and being_written(path):
            logger.warning("not deleting %s: it is being written", name)
            continue
        remove(name)


class Segment(models.Model):
    """One piece of a camera's continuous recording: an MP4 cut at keyframes.

    Times are Unix seconds (floats, not datetimes): the timeline query compares and merges
    tens of thousands of them, and plain numbers keep that cheap in SQL and in Python.
    """

    camera = models.ForeignKey("livecam.Camera", on_delete=models.CASCADE, related_name="segments")
    start = models.FloatField(_("start"))
    """Capture time of the segment's first picture (a keyframe)."""
    end = models.FloatField(_("end"))
    """Capture time just after its last picture (= the next segment's start when contiguous)."""
    bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    frames = models.PositiveIntegerField(_("frames"), default=0)
    path = models.CharField(max_length=200, editable=False)
    """Path of the MP4 relative to the media folder (generated, never user input)."""
    writing = models.BooleanField(default=False, editable=False)
    """True while capture writes it (the file is then ``path + ".part"``, locked)."""
    keep = models.BooleanField(_("keep"), default=False)
    """Never deleted by retention or the disk budget."""
    joins = models.BooleanField(default=False, editable=False)
    """True when it starts where the camera's previous segment ended (one recorded range).

    Kept true by the writer and by retention (`livecam.recording.runs`), so the timeline
    finds range starts through a small partial index instead of reading every segment.
    """

    class Meta:
        app_label = "livecam"
        ordering = ["start", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        indexes = [
            models.Index(fields=["camera", "start"], name="segment_camera_start"),
            models.Index(
                fields=["camera", "start"],
                name="segment_range_starts",
                condition=models.Q(joins=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.start:.3f}-{self.end:.3f}"


@receiver(post_delete, sender=Segment)
def _remove_segment_file(sender: type[Segment], instance: Segment, **kwargs: object) -> None:
    """Delete a segment's file with its row, never one a process is still writing."""
    from livecam.motion.files import remove, resolve
    from livecam.recording.lock import being_written

    for name in (instance.path, instance.path + ".part"):
        path = resolve(name)
        if path is not None and being_written(path):
            logger.warning("not deleting %s: it is being written", name)
            continue
        remove(name)
