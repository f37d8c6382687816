"""Export and import livecam's configuration as JSON (never passwords, tokens or secrets).

Cameras travel with their settings, controls, masks, motion/recording settings and access
lists.
An import checks everything first and changes nothing when anything is wrong; then it
creates or updates the cameras of the file in one transaction (others are left alone).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from livecam.cameras.validation import SETTINGS, problems_of
from livecam.models import Camera, CameraAccess, MotionSettings

FORMAT = 1
CAMERA_FIELDS = ("label", "source", *SETTINGS, "enabled", "controls", "privacy_masks")


class ConfigError(ValueError):
    """The file is not a valid configuration; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _motion_fields() -> list[str]:
    # Introspected: motion/recording settings added by other features travel along.
    return [f.name for f in MotionSettings._meta.concrete_fields if f.name != "camera"]


def export_config() -> dict[str, Any]:
    """Return the whole configuration as JSON-ready data (stable order)."""
    cameras = []
    for camera in Camera.objects.order_by("id"):
        item: dict[str, Any] = {"id": camera.id}
        item.update({name: getattr(camera, name) for name in CAMERA_FIELDS})
        motion = MotionSettings.objects.filter(camera=camera).first()
        item["motion"] = (
            {name: getattr(motion, name) for name in _motion_fields()} if motion else None
        )
        access = CameraAccess.objects.filter(camera=camera).first()
        item["access"] = (
            {
                "users": sorted(u.get_username() for u in access.users.all()),
                "groups": sorted(g.name for g in access.groups.all()),
            }
            if access
            else None
        )
        cameras.append(item)
    return {"livecam_config": FORMAT, "cameras": cameras}


def _check_camera(index: int, item: Any, problems: list[str]) -> Camera | None:
    where = f"cameras[{index}]"
    if not isinstance(item, dict):
        problems.append(f"{where}: not an object")
        return None
    known = {"id", *CAMERA_FIELDS, "motion", "access"}
    for key in sorted(set(item) - known):
        problems.append(f"{where}.{key}: unknown field")
    if not isinstance(item.get("id"), str):
        problems.append(f"{where}.id: missing")
        return None
    camera = Camera(id=item["id"], **{k: item[k] for k in CAMERA_FIELDS if k in item})
    for field, reasons in problems_of(camera).items():
        problems.append(f"{where}.{field}: {' '.join(reasons)}")
    motion = item.get("motion")
    if motion is not None:
        if not isinstance(motion, dict):
            problems.append(f"{where}.motion: not an object")
        else:
            for key in sorted(set(motion) - set(_motion_fields())):
                problems.append(f"{where}.motion.{key}: unknown field")
            settings = MotionSettings(
                camera_id=camera.id, **{k: v for k, v in motion.items() if k in _motion_fields()}
            )
            try:
                settings.full_clean(exclude=["camera"], validate_unique=False)
            except ValidationError as exc:
                for field, reasons in exc.message_dict.items():
                    problems.append(f"{where}.motion.{field}: {' '.join(reasons)}")
    _check_access(where, item.get("access"), problems)
    return camera


def _check_access(where: str, access: Any, problems: list[str]) -> None:
    if access is None:
        return
    if not isinstance(access, dict) or set(access) - {"users", "groups"}:
        problems.append(f"{where}.access: an object of users and groups")
        return
    users = access.get("users", [])
    groups = access.get("groups", [])
    if not all(isinstance(n, str) for n in [*users, *groups]):
        problems.append(f"{where}.access: names are strings")
        return
    known = set(
        get_user_model().objects.filter(username__in=users).values_list("username", flat=True)
    )
    for name in users:
        if name not in known:
            problems.append(f"{where}.access.users: no user {name!r} (users are not imported)")
    for name in groups:
        if not 0 < len(name) <= 150:
            problems.append(f"{where}.access.groups: bad group name")


def validate_config(data: Any) -> list[tuple[Camera, dict[str, Any]]]:
    """Check a configuration; return the cameras to save, or raise ConfigError listing why."""
    problems: list[str] = []
    if not isinstance(data, dict) or data.get("livecam_config") != FORMAT:
        raise ConfigError([f"not a livecam configuration (format {FORMAT})"])
    for key in sorted(set(data) - {"livecam_config", "cameras"}):
        problems.append(f"{key}: unknown field")
    items = data.get("cameras")
    if not isinstance(items, list):
        raise ConfigError(["cameras: a list"])
    result = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        camera = _check_camera(index, item, problems)
        if camera is None:
            continue
        if camera.id in seen:
            problems.append(f"cameras[{index}].id: {camera.id!r} appears twice")
        seen.add(camera.id)
        result.append((camera, item))
    if problems:
        raise ConfigError(problems)
    return result


def import_config(data: Any) -> list[str]:
    """Validate, then create or update every camera of the file at once; return their ids."""
    checked = validate_config(data)
    with transaction.atomic():
        for camera, item in checked:
            Camera.objects.update_or_create(
                id=camera.id, defaults={k: getattr(camera, k) for k in CAMERA_FIELDS}
            )
            if item.get("motion") is not None:
                MotionSettings.objects.update_or_create(
                    camera_id=camera.id, defaults=item["motion"]
                )
            else:
                MotionSettings.objects.filter(camera_id=camera.id).delete()
            _apply_access(camera.id, item.get("access"))
    return [camera.id for camera, _ in checked]


def _apply_access(camera_id: str, access: dict[str, Any] | None) -> None:
    if access is None:
        CameraAccess.objects.filter(camera_id=camera_id).delete()
        return
    row, _ = CameraAccess.objects.get_or_create(camera_id=camera_id)
    users = get_user_model().objects.filter(username__in=access.get("users", []))
    row.users.set(users)
    row.groups.set([Group.objects.get_or_create(name=n)[0] for n in access.get("groups", [])])
