"""The security command line: users and roles, scoped tokens, share links, camera access."""

from __future__ import annotations

import datetime

import httpx
import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from livecam.access.expiry import parse_expiry
from tests.security.conftest import World

# Each CLI call starts Django anew: on a loaded 2-core machine that takes seconds.
pytestmark = pytest.mark.timeout(180)


def test_user_add_list_set_role_disable_enable(world: World):
    added = world.server.cli("user", "add", "cli-user", "--role", "operator").stdout
    assert "Added user 'cli-user' (operator)." in added
    password = added.split("Password (shown once): ")[1].strip()
    assert len(password) >= 12
    listing = world.server.cli("user", "list").stdout
    assert any(line.split() == ["cli-user", "operator", "yes"] for line in listing.splitlines())
    with world.server.session("cli-user", password) as client:
        assert (
            client.post(
                "/api/cameras/demo/on", headers={"X-CSRFToken": client.cookies["csrftoken"]}
            ).status_code
            == 200
        )
    world.server.cli("user", "set-role", "cli-user", "viewer")
    with world.server.session("cli-user", password) as client:
        assert (
            client.post(
                "/api/cameras/demo/on", headers={"X-CSRFToken": client.cookies["csrftoken"]}
            ).status_code
            == 403
        )
    world.server.cli("user", "disable", "cli-user")
    listing = world.server.cli("user", "list").stdout
    assert any(line.split() == ["cli-user", "viewer", "no"] for line in listing.splitlines())
    world.server.cli("user", "enable", "cli-user")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "vera", "--role", "viewer"], "already exists"),
        (["user", "add", "x", "--role", "king"], "invalid choice"),
        (["user", "set-role", "nobody", "admin"], "no user"),
        (["token", "create", "otto", "--expires", "yesterday"], "cannot read the expiry"),
        (["token", "create", "otto", "--expires", "2001-01-01"], "in the past"),
        (["token", "create", "otto", "--camera", "nope"], "no camera 'nope'"),
        (["share", "create", "nope"], "no camera 'nope'"),
        (["share", "create", "demo", "--expires", "0d"], "more than 0"),
        (
            ["share", "create", "demo", "--expires", "1d", "--never-expires"],
            "not allowed with argument --expires",
        ),
        (["share", "revoke", "99999"], "no active share link"),
        (["access", "grant", "demo"], "at least one --user or --group"),
        (["access", "grant", "demo", "--user", "nobody"], "no user"),
        (["access", "grant", "demo", "--group", "nobody"], "no group"),
        (["access", "restrict", "nope"], "no camera"),
    ],
)
def test_cli_refuses_bad_input_clearly(world: World, args: list[str], message: str):
    result = world.server.cli(*args, check=False)
    assert result.returncode != 0
    assert message in result.stderr


def test_scoped_token_from_the_cli(world: World):
    raw = world.server.cli(
        "token", "create", "otto", "--read-only", "--camera", "m-spare", "--expires", "2h"
    ).stdout.split()[-1]
    line = next(
        ln for ln in world.server.cli("token", "list").stdout.splitlines() if raw[:10] in ln
    )
    assert "read-only" in line and "m-spare" in line and "active" in line
    headers = {"Authorization": f"Bearer {raw}"}
    with httpx.Client(base_url=world.server.base_url, headers=headers, timeout=10) as client:
        assert [c["id"] for c in client.get("/api/cameras").json()] == ["m-spare"]
        assert client.get("/api/cameras/demo").status_code == 404
        assert client.post("/api/cameras/m-spare/off").status_code == 403
        assert client.get("/cameras/m-spare/snapshot.jpg").status_code == 200
        assert client.get("/metrics").status_code == 403


def test_tokens_are_stored_hashed(world: World):
    raw = world.server.cli("token", "create", "otto").stdout.split()[-1]
    assert raw.encode() not in (world.server.data_dir / "livecam.sqlite3").read_bytes()


def test_access_show_restrict_grant_open(world: World, camera_id: str):
    world.server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    assert f"{camera_id}\topen" in world.server.cli("access", "show", camera_id).stdout
    shown = world.server.cli("access", "restrict", camera_id).stdout
    assert "restricted\tusers=-\tgroups=-" in shown
    with world.session("vera") as client:
        assert client.get(f"/cameras/{camera_id}/").status_code == 404
        world.server.cli("access", "grant", camera_id, "--group", "lab", "--user", "vera")
        assert client.get(f"/cameras/{camera_id}/").status_code == 200
        world.server.cli("access", "open", camera_id)
        assert client.get(f"/cameras/{camera_id}/").status_code == 200


def test_file_sources_only_from_the_media_folder(world: World, tmp_path, camera_id: str):
    outside = tmp_path / "clip.avi"
    outside.write_bytes(b"not really a video")
    refused = world.server.cli("camera", "add", camera_id, f"file:{outside}", check=False)
    assert refused.returncode != 0
    assert "files must be under" in refused.stderr and "media" in refused.stderr
    # A symlink inside the media folder does not lead outside it either.
    link = world.server.data_dir / "media" / f"{camera_id}.avi"
    link.symlink_to(outside)
    refused = world.server.cli("camera", "add", camera_id, f"file:{link}", check=False)
    assert refused.returncode != 0 and "files must be under" in refused.stderr


@given(st.integers(0, 999_999), st.sampled_from("mhdw"))
def test_expiry_durations(amount: int, unit: str):
    now = timezone.now()
    delta = datetime.timedelta(seconds={"m": 60, "h": 3600, "d": 86400, "w": 604800}[unit] * amount)
    if datetime.timedelta(0) < delta <= datetime.timedelta(days=3660):
        assert parse_expiry(f"{amount}{unit}", now) - now == delta
    else:
        with pytest.raises(ValueError, match="more than 0 and at most ten years"):
            parse_expiry(f"{amount}{unit}", now)


@given(st.text(max_size=40))
def test_expiry_parser_never_crashes(text: str):
    try:
        moment = parse_expiry(text)
    except ValueError as exc:
        message = str(exc)
        assert message
    else:
        assert moment > timezone.now() - datetime.timedelta(seconds=1)


def test_share_secrets_are_redacted_from_access_logs():
    import logging

    from livecam.logs import RedactShareSecrets

    secret = "ls_AbC-12_xyz"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/share/{secret}/stream.mjpg?x=1", "1.1", 200),
        None,
    )
    assert RedactShareSecrets().filter(record)
    message = record.getMessage()
    assert secret not in message and "/share/ls_[redacted]/stream.mjpg" in message
    # On the project's handler (pytest adds its own), whichever logger writes the record.
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, RedactShareSecrets) for handler in handlers for f in handler.filters)
