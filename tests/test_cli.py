"""The ``livecam`` command line: cameras and tokens."""

from __future__ import annotations

from tests.support.server import LivecamServer


def test_camera_add_list_on_off_remove(server: LivecamServer, camera_id: str):
    added = server.cli(
        "camera",
        "add",
        camera_id,
        "pattern:",
        "--label",
        "Bench top",
        "--width",
        "160",
        "--height",
        "120",
        "--fps",
        "10",
    )
    assert f"Added camera '{camera_id}'" in added.stdout
    listing = server.cli("camera", "list").stdout
    line = next(row for row in listing.splitlines() if row.startswith(camera_id))
    assert "on" in line.split() and "pattern" in line and "Bench top" in line
    server.cli("camera", "off", camera_id)
    state = server.wait_for(camera_id, lambda s: s["state"] == "off")
    assert state["enabled"] is False
    server.cli("camera", "on", camera_id)
    server.wait_for(camera_id, lambda s: s["online"])
    server.cli("camera", "remove", camera_id)
    with server.api() as client:
        assert client.get(f"/api/cameras/{camera_id}").status_code == 404
    assert server.cli("camera", "off", camera_id, check=False).returncode != 0


def test_camera_add_rejects_duplicates_and_bad_values(server: LivecamServer, camera_id: str):
    server.cli("camera", "add", camera_id, "pattern:")
    duplicate = server.cli("camera", "add", camera_id, "pattern:", check=False)
    assert duplicate.returncode != 0 and "already exists" in duplicate.stderr
    bad = server.cli("camera", "add", camera_id + "-q", "pattern:", "--quality", "0", check=False)
    assert bad.returncode != 0 and "quality" in bad.stderr


def test_token_create_for_unknown_user_fails(server: LivecamServer):
    result = server.cli("token", "create", "nobody", check=False)
    assert result.returncode != 0 and "no user" in result.stderr
