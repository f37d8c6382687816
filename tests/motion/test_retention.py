"""Retention deletes old and surplus events and recordings, with their files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from livecam.models import Camera
from livecam.motion import files, retention
from livecam.motion.config import MediaConfig
from livecam.motion.models import MotionEvent
from livecam.recording.models import Recording

pytestmark = pytest.mark.django_db


def _event(camera: Camera, age_days: float, ended: bool = True) -> MotionEvent:
    started = timezone.now() - dt.timedelta(days=age_days)
    name = files.new_name("events", camera.id, ".jpg")
    files.write_atomic(name, b"\xff\xd8jpeg")
    return MotionEvent.objects.create(
        camera=camera,
        started_at=started,
        ended_at=started + dt.timedelta(seconds=5) if ended else None,
        snapshot=name,
    )


def _recording(camera: Camera, age_days: float, state: str = "done") -> Recording:
    name = files.new_name("recordings", camera.id, ".mp4")
    files.write_atomic(name, b"mp4")
    return Recording.objects.create(
        camera=camera,
        started_at=timezone.now() - dt.timedelta(days=age_days),
        state=state,
        file=name,
    )


def _exists(name: str) -> bool:
    path = files.resolve(name)
    return path is not None and path.exists()


def test_old_events_and_recordings_are_deleted_with_their_files():
    camera = Camera.objects.create(id="yard", source="pattern:")
    other = Camera.objects.create(id="door", source="pattern:")
    old, fresh = _event(camera, 10), _event(camera, 1)
    old_rec, fresh_rec = _recording(camera, 10), _recording(camera, 1)
    elsewhere = _event(other, 10)
    removed = retention.clean(MediaConfig("yard", max_age_days=7, max_count=0))
    assert removed == 2
    assert list(MotionEvent.objects.filter(camera=camera)) == [fresh]
    assert list(Recording.objects.filter(camera=camera)) == [fresh_rec]
    assert not _exists(old.snapshot) and not _exists(old_rec.file)
    assert _exists(fresh.snapshot) and _exists(fresh_rec.file) and _exists(elsewhere.snapshot)


def test_surplus_beyond_max_count_goes_oldest_first():
    camera = Camera.objects.create(id="yard", source="pattern:")
    kept = [_event(camera, age) for age in (0.1, 0.2, 0.3)]
    dropped = [_event(camera, age) for age in (0.4, 0.5)]
    retention.clean(MediaConfig("yard", max_age_days=0, max_count=3))
    assert list(MotionEvent.objects.all()) == kept
    assert not any(_exists(e.snapshot) for e in dropped)


def test_events_and_recordings_in_progress_are_kept():
    camera = Camera.objects.create(id="yard", source="pattern:")
    ongoing = _event(camera, 30, ended=False)
    writing = _recording(camera, 30, state="recording")
    retention.clean(MediaConfig("yard", max_age_days=1, max_count=0))
    assert list(MotionEvent.objects.all()) == [ongoing]
    assert list(Recording.objects.all()) == [writing]


def test_zero_limits_keep_everything():
    camera = Camera.objects.create(id="yard", source="pattern:")
    for age in (100, 200, 300):
        _event(camera, age)
    assert retention.clean(MediaConfig("yard", max_age_days=0, max_count=0)) == 0
    assert MotionEvent.objects.count() == 3


def test_media_names_cannot_leave_the_media_folder():
    assert files.resolve("../secret_key") is None
    assert files.resolve("/etc/passwd") is None
    assert files.resolve("") is None
    name = files.new_name("events", "yard", ".jpg")
    assert name.startswith("events/yard/") and name.endswith(".jpg")
    assert files.resolve(name) is not None
