"""Who may see a camera (per-camera access) and share links (view-only URLs for one camera)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CameraAccess(models.Model):
    """Restrict one camera to chosen users and groups.

    A camera without this row is visible to everyone with the viewer role; with it, only to
    the listed users, members of the listed groups, and admins.
    """

    camera = models.OneToOneField(
        "livecam.Camera", on_delete=models.CASCADE, primary_key=True, related_name="access"
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("users")
    )
    groups = models.ManyToManyField(
        "auth.Group", blank=True, related_name="+", verbose_name=_("groups")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "livecam"
        verbose_name = _("camera access")
        verbose_name_plural = _("camera access")
        permissions = [
            ("view_metrics", "Can read the Prometheus metrics"),
            ("see_all_cameras", "Can see every camera, restricted or not"),
        ]

    def __str__(self) -> str:
        return f"access to {self.camera_id}"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ShareLink(models.Model):
    """A revocable, expiring, view-only URL to one camera's stream and snapshot.

    Only the SHA-256 of the secret is stored; the URL is shown once when the link is made.
    """

    PREFIX = "ls_"

    camera = models.ForeignKey(
        "livecam.Camera", on_delete=models.CASCADE, related_name="share_links"
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    # The admin who made the link: it works only while they could still make it (see
    # ``livecam.access.policy.share_link_owner_may_share``) and goes when they are deleted.
    # None: made on the command line by whoever runs the server (owned by the site).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "livecam"
        ordering = ["-created_at"]
        verbose_name = _("share link")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.camera_id})"

    @classmethod
    def issue(
        cls,
        camera: Any,
        *,
        label: str = "",
        created_by: Any = None,
        expires_at: datetime | None = None,
    ) -> tuple[ShareLink, str]:
        """Create a link and return it with its raw secret (shown once, never stored)."""
        raw = cls.PREFIX + secrets.token_urlsafe(24)
        link = cls.objects.create(
            camera=camera,
            label=label,
            secret_hash=_hash(raw),
            hint=raw[:10],
            created_by=created_by,
            expires_at=expires_at,
        )
        return link, raw

    @classmethod
    def hash_of(cls, raw: str) -> str:
        """Return the stored form of a raw secret."""
        return _hash(raw)

    @property
    def usable(self) -> bool:
        """Return True while the link is neither revoked nor expired."""
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @staticmethod
    def usable_filter() -> models.Q:
        """Return the filter of links that are neither revoked nor expired."""
        return models.Q(revoked_at__isnull=True) & (
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )
