"""Per-camera settings changed in place: control values and privacy masks (row-locked)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from livecam.cameras.controls import check_values, offered
from livecam.cameras.locking import retry_locked
from livecam.cameras.masks import Rect, as_json, parse_masks
from livecam.models import Camera
from livecam.sources import SourceError, parse_source

PASS_THROUGH_KINDS = ("device", "mjpeg", "url")
"""Sources whose own JPEG or H.264 is streamed as is, until a mask makes capture re-encode it
(a network camera's H.264 and an H.264 file's pictures pass through stream.mp4)."""


def set_controls(camera_id: str, changes: Any) -> Camera:
    """Merge checked control values into the stored ones under a row lock; return the camera."""
    return retry_locked(lambda: _set_controls(camera_id, changes))


def _set_controls(camera_id: str, changes: Any) -> Camera:
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera_id)
        checked = check_values(offered(camera.source, camera.control_info), changes)
        camera.controls = {**camera.controls, **checked}
        camera.save(update_fields=["controls", "updated_at"])
    return camera


def set_masks(camera_id: str, masks: Any) -> Camera:
    """Replace a camera's privacy masks after checking them; return the camera."""
    rects = parse_masks(masks)
    return retry_locked(lambda: _set_masks(camera_id, rects))


def _set_masks(camera_id: str, rects: tuple[Rect, ...]) -> Camera:
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera_id)
        camera.privacy_masks = as_json(rects)
        camera.save(update_fields=["privacy_masks", "updated_at"])
    return camera


def source_reencodes(camera: Camera) -> bool:
    """Return True when masks force a re-encode of a JPEG or H.264 pass-through source."""
    if not camera.privacy_masks:
        return False
    try:
        spec = parse_source(camera.source)
    except SourceError:
        return False
    if spec.kind == "file":
        from livecam.sources.h264file import is_h264

        return is_h264(spec.target)  # reads the file's header only
    return spec.kind in PASS_THROUGH_KINDS
