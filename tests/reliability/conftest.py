"""Fixtures for fault injection: a server whose ``file:`` cameras are scripted sources."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.faulty import ScriptedCamera
from tests.support.server import LivecamServer

FAULT_SETTINGS = {
    "SOURCES": {"file": "tests.support.faulty.ScriptedSource"},
    "READ_TIMEOUT": 1.5,
    "OPEN_TIMEOUT": 2.0,
    "RETRY_INITIAL": 0.3,
    "RETRY_MAX": 2.0,
}
"""Timings of the fault server (seconds): short, so each fault plays out in a few seconds."""

AddScripted = Callable[..., ScriptedCamera]


def camera_state(server: LivecamServer, camera_id: str) -> dict[str, Any]:
    """Return a camera's JSON state from the API."""
    with server.api() as api:
        response = api.get(f"/api/cameras/{camera_id}")
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()
    return state


@pytest.fixture(scope="module")
def fault_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivecamServer]:
    """A server of this module whose ``file:`` cameras are ScriptedSource."""
    instance = LivecamServer(tmp_path_factory.mktemp("faults"), settings=FAULT_SETTINGS)
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def add_scripted(fault_server: LivecamServer, camera_id: str, tmp_path: Path) -> AddScripted:
    """Add a scripted camera to the fault server and wait until it is in its first state."""

    def add(
        mode: str = "ok",
        *options: str,
        name: str = "",
        size: tuple[int, int] = (160, 120),
        wait: bool = True,
    ) -> ScriptedCamera:
        cam_id = name or camera_id
        camera = ScriptedCamera(tmp_path, cam_id, mode, size)
        sizes = ("--width", str(size[0]), "--height", str(size[1]))
        fault_server.add_camera(cam_id, camera.source, *sizes, *options)
        if wait and mode == "ok" and "--on-demand" not in options and "--off" not in options:
            fault_server.wait_for(cam_id, lambda s: s["online"], timeout=15)
        return camera

    return add
