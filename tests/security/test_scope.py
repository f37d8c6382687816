"""A token limited to some cameras stays limited when those cameras are removed."""

from __future__ import annotations

import httpx
import pytest

from tests.security.conftest import HIDDEN, World

# Each CLI call starts Django anew: on a loaded 2-core machine that takes seconds.
pytestmark = pytest.mark.timeout(180)


def test_a_limited_token_whose_cameras_are_removed_sees_nothing(world: World, camera_id: str):
    world.server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    tokens = {
        role: world.server.cli(
            "token", "create", user, "--camera", camera_id, *options
        ).stdout.split()[-1]
        for role, user, options in [("admin", "adam", ["--read-only"]), ("operator", "otto", [])]
    }
    world.server.cli("camera", "remove", camera_id)
    listing = world.server.cli("token", "list").stdout
    for raw in tokens.values():
        line = next(ln for ln in listing.splitlines() if raw[:10] in ln)
        assert line.endswith("no cameras (all removed)") and "all cameras" not in line
    for role, raw in tokens.items():
        headers = {"Authorization": f"Bearer {raw}"}
        with httpx.Client(base_url=world.server.base_url, headers=headers, timeout=10) as client:
            assert client.get("/api/cameras").json() == [], role
            assert client.get("/metrics").status_code == 403, role
            for path in (
                f"/api/cameras/{HIDDEN}",
                "/api/cameras/demo",
                "/cameras/demo/snapshot.jpg",
            ):
                assert client.get(path).status_code == 404, (role, path)
            assert client.get(f"/cameras/tiles.mjpg?ids=demo,{HIDDEN}").status_code == 404, role
            assert client.post("/api/cameras/demo/off").status_code == 404, role
    with httpx.Client(base_url=world.server.base_url, headers=world.server.auth_headers()) as api:
        assert api.get("/api/cameras/demo").json()["enabled"] is True  # nobody switched it


def test_a_users_tokens_page_says_no_cameras_are_left(world: World, camera_id: str):
    world.server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    world.server.cli("token", "create", "vera", "--name", camera_id, "--camera", camera_id)
    world.server.cli("camera", "remove", camera_id)
    with world.session("vera") as client:
        page = client.get("/account/tokens/").text
    row = page.split(camera_id, 1)[1].split("</tr>", 1)[0]
    assert "no cameras (all removed)" in row and "all cameras" not in row
