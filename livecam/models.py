"""Persistent configuration: cameras (with the enabled state) and API tokens (with scope)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from livecam import conf

ROTATIONS = [(0, "0°"), (90, "90°"), (180, "180°"), (270, "270°")]


def validate_source_text(value: str) -> None:
    """Reject a source the capture side could not use, with the reason."""
    from livecam.sources import validate_source
    from livecam.sources.base import SourceError

    dirs = conf.get("FILE_DIRS")
    try:
        validate_source(value, file_dirs=dirs)
    except SourceError as exc:
        raise ValidationError(str(exc), code="source") from exc


def validate_masks(value: object) -> None:
    """Reject privacy masks that are not rectangles inside the frame, with the reason."""
    from livecam.cameras.masks import parse_masks

    try:
        parse_masks(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="masks") from exc


def validate_controls(value: object) -> None:
    """Reject stored control values that are not names with whole numbers."""
    from livecam.cameras.controls import check_stored

    try:
        check_stored(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="controls") from exc


class Camera(models.Model):
    """A configured camera: where frames come from, how they are encoded, and ON/OFF."""

    id = models.SlugField(_("id"), primary_key=True, max_length=50)
    label = models.CharField(_("label"), max_length=100, blank=True)
    source = models.CharField(
        _("source"),
        max_length=500,
        validators=[validate_source_text],
        help_text=_("pattern:, device:0, file:/path/clip.mp4, rtsp://…, http://…, mjpeg+http://…"),
    )
    width = models.PositiveIntegerField(
        _("width"),
        default=0,
        validators=[MaxValueValidator(7680)],
        help_text=_("0 keeps the source's own size"),
    )
    height = models.PositiveIntegerField(
        _("height"), default=0, validators=[MaxValueValidator(4320)]
    )
    fps = models.FloatField(
        _("frames per second"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
        help_text=_("0 keeps the source's own rate"),
    )
    quality = models.PositiveSmallIntegerField(
        _("JPEG quality"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    rotation = models.PositiveSmallIntegerField(_("rotation"), default=0, choices=ROTATIONS)
    enabled = models.BooleanField(_("enabled"), default=True)
    on_demand = models.BooleanField(
        _("on demand"),
        default=False,
        help_text=_("Release the source when nobody has watched for the linger time"),
    )
    linger = models.FloatField(
        _("linger (seconds)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(3600)],
    )
    bitrate = models.PositiveIntegerField(
        _("H.264 bitrate (kbit/s)"),
        default=0,
        validators=[MaxValueValidator(50000)],
        help_text=_("Cap of the H.264 stream; 0 picks a default for the size"),
    )
    keyframe_interval = models.FloatField(
        _("H.264 keyframe interval (seconds)"),
        default=1.0,
        validators=[MinValueValidator(0.2), MaxValueValidator(10)],
    )
    # Camera management (issue 17): picture controls, privacy masks, and what capture reported.
    controls = models.JSONField(
        _("controls"), default=dict, blank=True, validators=[validate_controls]
    )
    privacy_masks = models.JSONField(
        _("privacy masks"), default=list, blank=True, validators=[validate_masks]
    )
    control_info = models.JSONField(default=list, blank=True, editable=False)
    """The controls the source offered when capture last opened it (written by capture)."""
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        permissions = [("switch_camera", "Can switch cameras on and off")]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")

    def __str__(self) -> str:
        return self.label or self.id

    @property
    def title(self) -> str:
        """Return the label, or the id when there is none."""
        return self.label or self.id


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Token lookups."""

    def usable(self) -> ApiTokenQuerySet:
        """Return tokens that are neither revoked nor expired, of active users."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for scripts; only its SHA-256 is stored."""

    PREFIX = "lc_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    read_only = models.BooleanField(
        _("read-only"), default=False, help_text=_("Watch and read state; never switch")
    )
    cameras = models.ManyToManyField(
        Camera,
        blank=True,
        related_name="+",
        verbose_name=_("cameras"),
        help_text=_("The cameras a limited token may use"),
    )
    # Kept apart from ``cameras``: a limited token whose cameras were all removed must see
    # nothing, not fall back to every camera its user may see.
    limited = models.BooleanField(
        _("limited to its cameras"),
        default=False,
        help_text=_("Only the cameras listed (none left: no camera at all)"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.name or self.user})"

    @classmethod
    def issue(
        cls,
        user: models.Model,
        name: str = "",
        expires_at: datetime | None = None,
        *,
        read_only: bool = False,
        cameras: list[Camera] | None = None,
    ) -> tuple[ApiToken, str]:
        """Create a token and return it with its raw value (shown once, never stored)."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=_hash(raw),
            hint=raw[:10],
            expires_at=expires_at,
            read_only=read_only,
            limited=bool(cameras),
        )
        if cameras:
            token.cameras.set(cameras)
        return token, raw

    @property
    def usable(self) -> bool:
        """Return True while the token is neither revoked nor expired."""
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @classmethod
    def hash_of(cls, raw: str) -> str:
        """Return the stored form of a raw token."""
        return _hash(raw)


# Per-camera access and share links live in their own module; importing them here registers
# them with the app (Django looks for an app's models in ``livecam.models``).
from livecam.access.models import CameraAccess, ShareLink  # noqa: E402

# Motion and recording models live in their packages; imported here so Django finds them.
from livecam.motion.models import MotionEvent, MotionSettings  # noqa: E402

# MQTT exposure and notification preferences (issue 16).
from livecam.mqtt.models import MqttSettings  # noqa: E402
from livecam.notify.models import NotificationProfile, NotificationRule  # noqa: E402
from livecam.recording.models import Recording, Segment  # noqa: E402

__all__ = [
    "ApiToken",
    "Camera",
    "CameraAccess",
    "MotionEvent",
    "MotionSettings",
    "MqttSettings",
    "NotificationProfile",
    "NotificationRule",
    "Recording",
    "Segment",
    "ShareLink",
    "validate_source_text",
]
