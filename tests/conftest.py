"""Fixtures: one real livecam server per session (cameras are per test), plus helpers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.redis import RedisServer
from tests.support.server import LivecamServer

# Deterministic in CI (a failure reproduces), and no wall-clock deadlines: the machine has two
# cores shared with real servers started by other tests.
settings.register_profile(
    "livecam", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("livecam")

_ids = itertools.count(1)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivecamServer]:
    """A running ``livecam serve --demo`` shared by the tests of a session."""
    instance = LivecamServer(tmp_path_factory.mktemp("server"))
    instance.start("--demo")
    yield instance
    instance.stop()


@pytest.fixture
def camera_id(request: pytest.FixtureRequest) -> str:
    """A camera id unique to this test."""
    name = request.node.name.split("[")[0].removeprefix("test_").replace("_", "-")[:30]
    return f"{name}-{next(_ids)}"


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[LivecamServer]:
    """A server of this test alone (for restarts and shutdown), not started yet."""
    instance = LivecamServer(tmp_path)
    yield instance
    if instance.process is not None:
        instance.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server of this test alone, started."""
    instance = RedisServer(tmp_path / "redis")
    instance.start()
    yield instance
    instance.stop()
