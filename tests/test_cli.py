"""The ``livecam`` command line: cameras and tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    # NaN passes every range check and SQLite stores it as NULL: refused by name instead.
    nan = server.cli("camera", "add", camera_id + "-n", "pattern:", "--fps", "nan", check=False)
    assert nan.returncode != 0 and "fps: must be a finite number" in nan.stderr
    assert "already exists" not in nan.stderr and "Traceback" not in nan.stderr
    low = server.cli("camera", "add", camera_id + "-b", "pattern:", "--bitrate", "5", check=False)
    assert low.returncode != 0 and "at least 50 kbit/s" in low.stderr


def test_token_create_for_unknown_user_fails(server: LivecamServer):
    result = server.cli("token", "create", "nobody", check=False)
    assert result.returncode != 0 and "no user" in result.stderr


def test_a_fresh_data_dir_needs_no_serve_first(tmp_path: Path):
    """camera, token and user commands set the database up themselves (no traceback)."""
    fresh = LivecamServer(tmp_path)
    assert "ID" in fresh.cli("camera", "list").stdout
    fresh.cli("camera", "add", "first", "pattern:")
    assert "first" in fresh.cli("camera", "list").stdout
    nobody = fresh.cli("token", "create", "admin", check=False)  # serve creates admin
    assert nobody.returncode != 0 and "no user 'admin'" in nobody.stderr
    assert "Traceback" not in nobody.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LIVECAM_PORT", "abc", "LIVECAM_PORT must be a whole number, not 'abc'"),
        ("LIVECAM_PORT", "99999", "LIVECAM_PORT must be at least 1 and at most 65535"),
        ("LIVECAM_MAX_VIEWERS", "-3", "LIVECAM_MAX_VIEWERS must be at least 0"),
        ("LIVECAM_ACCESS_RECHECK", "nan", "LIVECAM_ACCESS_RECHECK must be a finite number"),
        ("LIVECAM_LOG_LEVEL", "LOUD", "LIVECAM_LOG_LEVEL must be DEBUG, INFO, WARNING"),
        ("LIVECAM_DATABASE_URL", "bogus://x", "LIVECAM_DATABASE_URL: "),
        # A typo must not quietly mean false (LIVECAM_BEHIND_PROXY turns security on).
        ("LIVECAM_BEHIND_PROXY", "ture", "LIVECAM_BEHIND_PROXY must be 1, true, yes, on, 0"),
    ],
)
def test_a_bad_setting_is_one_clear_line(tmp_path: Path, variable: str, value: str, message: str):
    server = LivecamServer(tmp_path)
    server.env[variable] = value
    # Settings load before any command runs; the port is read by serve alone.
    commands = [("serve",)] if variable == "LIVECAM_PORT" else [("serve",), ("camera", "list")]
    for args in commands:
        result = server.cli(*args, check=False)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"livecam: {message}"), result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr


def test_serve_refuses_a_port_out_of_range(tmp_path: Path):
    result = LivecamServer(tmp_path).cli("serve", "--port", "83301", check=False)
    assert result.returncode == 2
    assert "a port is a number from 1 to 65535, not '83301'" in result.stderr


def test_a_weak_admin_password_is_refused_before_the_admin_exists(tmp_path: Path):
    weak = LivecamServer(tmp_path, env={"LIVECAM_ADMIN_PASSWORD": "x"})
    result = weak.cli("serve", "--port", str(weak.port), check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("livecam: LIVECAM_ADMIN_PASSWORD is refused: "), result.stderr
    assert "too short" in result.stderr and len(result.stderr.splitlines()) == 1
    assert "admin" not in weak.cli("user", "list").stdout.split()


def test_share_links_print_full_urls_from_the_public_url(tmp_path: Path):
    site = LivecamServer(tmp_path, env={"LIVECAM_PUBLIC_URL": "https://cams.example.test/"})
    site.cli("camera", "add", "yard", "pattern:")
    printed = site.cli("share", "create", "yard").stdout.split()
    assert printed[1].startswith("https://cams.example.test/share/ls_"), printed
    assert printed[1].endswith("/stream.mjpg")
    given = site.cli("share", "create", "yard", "--base-url", "https://other.test").stdout
    assert given.split()[1].startswith("https://other.test/share/ls_")
