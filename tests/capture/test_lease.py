"""Capture leases against a real Redis: one owner per camera, takeover, hand-over, restarts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from livecam.bus.redis_keys import RedisKeys
from livecam.capture.lease import LeaseKeeper
from tests.support.redis import RedisServer

KEYS = RedisKeys("test:")
CAMERAS = ["a", "b", "c"]


def keeper(url: str, ttl: float = 0.6, cameras: list[str] | None = None) -> LeaseKeeper:
    changes: list[str] = []
    instance = LeaseKeeper(url, KEYS, lambda: cameras or CAMERAS, ttl=ttl, on_change=changes.append)
    instance.changes = changes  # type: ignore[attr-defined]
    return instance


def test_each_camera_has_exactly_one_owner(redis_server: RedisServer):
    first, second = keeper(redis_server.url), keeper(redis_server.url)
    first.tick()
    second.tick()
    assert first.held() == set(CAMERAS)
    assert second.held() == set()
    for _ in range(3):  # renewals never move a lease
        second.tick()
        first.tick()
    assert first.held() == set(CAMERAS) and second.held() == set()
    assert redis_server.client().get("test:lease:a") == first.token.encode()
    assert first.changes == sorted(CAMERAS)  # type: ignore[attr-defined]
    first.stop()
    second.stop()


def test_a_standby_takes_over_when_the_owner_stops_renewing(redis_server: RedisServer):
    owner, standby = keeper(redis_server.url), keeper(redis_server.url)
    owner.tick()
    died = time.monotonic()  # the owner is "killed": it never renews again
    standby.start()
    try:
        while standby.held() != set(CAMERAS):
            assert time.monotonic() - died < 5, "no takeover"
            time.sleep(0.01)
        took = time.monotonic() - died
        owner.tick()  # the old owner comes back: it finds its leases taken and lets go
        assert owner.held() == set()
    finally:
        standby.stop()
        owner.stop()
    assert took >= owner.ttl * 0.5  # not before the lease lapsed
    assert took < owner.ttl + owner.ttl / 3 + 1.0


def test_a_stopping_owner_hands_its_leases_over_at_once(redis_server: RedisServer):
    owner, standby = keeper(redis_server.url, ttl=30), keeper(redis_server.url, ttl=30)
    owner.tick()
    standby.tick()
    owner.stop()
    standby.tick()
    assert standby.held() == set(CAMERAS)
    standby.stop()


def test_a_removed_camera_releases_its_lease(redis_server: RedisServer):
    cameras = ["a", "b"]
    owner = keeper(redis_server.url, cameras=cameras)
    owner.tick()
    cameras.remove("b")
    owner.tick()
    assert owner.held() == {"a"}
    assert redis_server.client().get("test:lease:b") is None
    owner.stop()


def test_after_a_redis_restart_the_owner_keeps_its_cameras(tmp_path: Path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    owner, standby = keeper(server.url, ttl=1.0), keeper(server.url, ttl=1.0)
    try:
        owner.tick()
        standby.tick()
        server.kill()
        owner.tick()  # Redis unreachable: nobody can take a lease, so the owner keeps going
        standby.tick()
        assert owner.held() == set(CAMERAS) and standby.held() == set()
        server.start()  # an empty Redis: every lease key is gone
        standby.tick()  # back after an outage: a standby waits one TTL before taking
        owner.tick()  # the owner re-takes its leases at once
        standby.tick()
        assert owner.held() == set(CAMERAS) and standby.held() == set()
        assert server.client().get("test:lease:a") == owner.token.encode()
    finally:
        owner.stop()
        standby.stop()
        server.stop()


@pytest.mark.parametrize("ttl", [0.3])
def test_redis_unreachable_at_start_is_retried(tmp_path: Path, ttl: float):
    server = RedisServer(tmp_path / "redis")  # not started yet
    owner = keeper(server.url, ttl=ttl)
    owner.tick()
    assert owner.held() == set()
    server.start()
    try:
        owner.tick()  # reachable now, but one TTL of grace first
        assert owner.held() == set()
        time.sleep(ttl)  # the grace period is a time span by design
        owner.tick()
        assert owner.held() == set(CAMERAS)
    finally:
        owner.stop()
        server.stop()
