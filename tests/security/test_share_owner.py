"""A share link works only while its creator could still make it, like a token."""

from __future__ import annotations

import contextlib
import re

import httpx
import pytest

from tests.security.conftest import PASSWORD, World
from tests.security.test_revocation import _ends, _open

# Each CLI call starts Django anew: on a loaded 2-core machine that takes seconds.
pytestmark = pytest.mark.timeout(240)


def _make_link(world: World, maker: str) -> tuple[str, str]:
    """Have `maker` create a link to demo on its share page; return (stream URL, link id)."""
    with world.session(maker) as client:
        form = {"csrfmiddlewaretoken": client.cookies["csrftoken"], "label": maker, "expires": "2h"}
        made = client.post("/cameras/demo/share/", data=form)
        assert made.status_code == 200, made.text
        url = re.search(r'<code id="new-stream-url">([^<]+)</code>', made.text)
        link_id = re.search(r'<tr data-link="(\d+)">', made.text)
        assert url and link_id
        return url.group(1), link_id.group(1)


def _state(world: World, link_id: str) -> str:
    listing = world.server.cli("share", "list", "demo").stdout
    return next(ln for ln in listing.splitlines() if ln.startswith(link_id + "\t"))


def test_a_link_stops_when_its_maker_is_demoted_disabled_or_deleted(world: World):
    world.shell(
        f"""
        from django.contrib.auth import get_user_model
        from livecam.access.roles import set_role
        set_role(get_user_model().objects.create_user("sam", password={PASSWORD!r}), "admin")
        """
    )
    stream_url, link_id = _make_link(world, "sam")
    snapshot_url = stream_url.replace("stream.mjpg", "snapshot.jpg")
    assert "\tactive\t" in _state(world, link_id) and _state(world, link_id).endswith("by sam")
    with httpx.Client(timeout=10) as client:
        response, reader = _open(client, stream_url)
        with contextlib.closing(response):
            world.server.cli("user", "set-role", "sam", "viewer")
            _ends(reader)  # the open stream's re-check sees it too
        assert client.get(snapshot_url).status_code == 404
        assert client.get(stream_url).status_code == 404
        assert "stopped (its maker may no longer share)" in _state(world, link_id)
        with world.session("adam") as admin:
            page = admin.get("/cameras/demo/share/").text
            row = page.split(f'data-link="{link_id}"', 1)[1].split("</tr>", 1)[0]
            assert "sam" in row and "stopped: its maker may no longer share" in row

        world.server.cli("user", "set-role", "sam", "admin")  # may share again: works again
        assert client.get(snapshot_url).status_code == 200

        world.server.cli("user", "disable", "sam")
        assert client.get(snapshot_url).status_code == 404
        world.server.cli("user", "enable", "sam")
        assert client.get(snapshot_url).status_code == 200

        world.shell(
            "from django.contrib.auth import get_user_model\n"
            "get_user_model().objects.filter(username='sam').delete()"
        )
        assert client.get(snapshot_url).status_code == 404
        listing = world.server.cli("share", "list", "demo").stdout
        assert not any(ln.startswith(link_id + "\t") for ln in listing.splitlines())


def test_links_made_on_the_command_line_belong_to_the_site(world: World):
    lines = world.server.cli("share", "create", "demo", "--expires", "1h").stdout.splitlines()
    snapshot = lines[1].split()[-1]
    listing = world.server.cli("share", "list", "demo").stdout.splitlines()
    assert listing[0].endswith("by site") and "\tactive\t" in listing[0]
    world.server.cli("user", "set-role", "adam", "viewer")  # no effect on a site link
    try:
        assert httpx.get(world.server.url(snapshot), timeout=10).status_code == 200
    finally:
        world.server.cli("user", "set-role", "adam", "admin")
