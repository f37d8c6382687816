"""The API-token and share-link pages: values shown once, revocation, who may use them."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.security.conftest import HIDDEN, World

# Each CLI call starts Django anew: on a loaded 2-core machine that takes seconds.
pytestmark = pytest.mark.timeout(180)


def _form(client: httpx.Client, **fields: str | list[str]) -> dict[str, str | list[str]]:
    return {"csrfmiddlewaretoken": client.cookies["csrftoken"], **fields}


def test_a_user_makes_uses_and_revokes_a_scoped_token_on_the_tokens_page(world: World):
    with world.session("otto") as client:
        page = client.get("/account/tokens/")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert f'value="{HIDDEN}"' not in page.text  # only cameras the user may see are offered
        made = client.post(
            "/account/tokens/",
            data=_form(client, name="page-made", read_only="on", cameras=["demo"], expires="1d"),
        )
        assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
        raw = re.search(r'<code id="new-token">(lc_[A-Za-z0-9_-]+)</code>', made.text)
        assert raw, made.text
        headers = {"Authorization": f"Bearer {raw.group(1)}"}
        with httpx.Client(base_url=world.server.base_url, headers=headers, timeout=10) as api:
            assert [c["id"] for c in api.get("/api/cameras").json()] == ["demo"]
            assert api.post("/api/cameras/demo/off").status_code == 403  # read-only
        # Shown once: the list afterwards has only its hint.
        listing = client.get("/account/tokens/").text
        assert raw.group(1) not in listing and raw.group(1)[:10] in listing
        token_id = re.search(
            r'<tr data-token="(\d+)">\s*<td[^>]*><code>' + re.escape(raw.group(1)[:10]), listing
        )
        assert token_id
        revoked = client.post(f"/account/tokens/{token_id.group(1)}/revoke", data=_form(client))
        assert revoked.status_code == 303
        assert "Token revoked: it no longer works." in client.get(revoked.headers["location"]).text
        with httpx.Client(base_url=world.server.base_url, headers=headers, timeout=10) as api:
            assert api.get("/api/cameras").status_code == 401


def test_tokens_page_rejects_a_bad_expiry_and_foreign_tokens(world: World):
    with world.session("vera") as client:
        bad = client.post("/account/tokens/", data=_form(client, name="x", expires="soonish"))
        assert bad.status_code == 200 and "cannot read the expiry" in bad.text
        assert 'id="new-token"' not in bad.text
        # Otto's tokens are not Vera's to revoke: the answer is the same as for no token.
        assert client.post("/account/tokens/1/revoke", data=_form(client)).status_code == 404
        assert client.post("/account/tokens/999999/revoke", data=_form(client)).status_code == 404


def test_admins_share_a_camera_from_its_page(world: World):
    with world.session("adam") as client:
        camera_page = client.get("/cameras/demo/")
        assert 'href="/cameras/demo/share/"' in camera_page.text
        made = client.post("/cameras/demo/share/", data=_form(client, label="wall", expires="2h"))
        assert made.status_code == 200
        url = re.search(r'<code id="new-stream-url">([^<]+)</code>', made.text)
        assert url and "/share/ls_" in url.group(1)
        snapshot_url = url.group(1).replace("stream.mjpg", "snapshot.jpg")
        assert httpx.get(snapshot_url, timeout=10).content[:2] == b"\xff\xd8"
        listing = client.get("/cameras/demo/share/").text
        link_id = re.search(r'<tr data-link="(\d+)">', listing)
        assert link_id
        revoke = client.post(f"/cameras/demo/share/{link_id.group(1)}/revoke", data=_form(client))
        assert revoke.status_code == 303
        assert "Share link revoked" in client.get(revoke.headers["location"]).text
        assert httpx.get(snapshot_url, timeout=10).status_code == 404
    with world.session("otto") as client:  # operators may not share
        assert 'href="/cameras/demo/share/"' not in client.get("/cameras/demo/").text
        refused = client.post("/cameras/demo/share/", data=_form(client, expires="1h"))
        assert refused.status_code == 403


def test_refused_page_forms_answer_the_sites_own_page(world: World):
    """A POST its sender may not make gets the themed, translated page, never bare text."""
    admin_only = ("/manage/cameras/new/", "/manage/cameras/demo/remove", "/manage/config/")
    cases = [("otto", path) for path in (*admin_only, "/cameras/demo/motion-settings")]
    cases.append(("vera", "/cameras/demo/settings"))
    for user, path in cases:
        with world.session(user) as client:
            refused = client.post(path, data=_form(client))
            assert refused.status_code == 403, (user, path)
            assert refused.headers["content-type"].startswith("text/html"), (user, path)
            assert "livecam/livecam.css" in refused.text, (user, path)


def _camera_form(client: httpx.Client, camera_id: str, source: str) -> dict[str, str | list[str]]:
    return _form(
        client,
        id=camera_id,
        label="",
        source=source,
        width="0",
        height="0",
        fps="0",
        quality="80",
        rotation="0",
        enabled="on",
        linger="10",
        bitrate="0",
        keyframe_interval="1",
        **{
            "access-TOTAL_FORMS": "0",
            "access-INITIAL_FORMS": "0",
            "access-MIN_NUM_FORMS": "0",
            "access-MAX_NUM_FORMS": "1",
            "motion_settings-TOTAL_FORMS": "0",  # the motion settings inline, left empty
            "motion_settings-INITIAL_FORMS": "0",
            "motion_settings-MIN_NUM_FORMS": "0",
            "motion_settings-MAX_NUM_FORMS": "1",
        },
    )


def test_only_admins_set_sources_and_only_valid_ones(world: World, camera_id: str):
    with world.session("otto") as operator:
        page = operator.get("/admin/livecam/camera/add/")
        assert page.status_code == 302 and "/admin/login/" in page.headers["location"]
        posted = operator.post(
            "/admin/livecam/camera/add/", data=_camera_form(operator, camera_id, "pattern:")
        )
        assert posted.status_code == 302 and "/admin/login/" in posted.headers["location"]
    with world.session("adam") as admin:  # the admin role (not a superuser)
        assert admin.get("/admin/livecam/camera/add/").status_code == 200
        for source, reason in [
            ("exec:ls", "unknown source kind"),
            ("file:/etc/passwd", "files must be under"),
            ("pattern:;id", "shell characters"),
        ]:
            refused = admin.post(
                "/admin/livecam/camera/add/", data=_camera_form(admin, camera_id, source)
            )
            assert refused.status_code == 200 and reason in refused.text, source
        made = admin.post(
            "/admin/livecam/camera/add/", data=_camera_form(admin, camera_id, "pattern:")
        )
        assert made.status_code == 302
    with world.bearer("admin") as api:
        assert api.get(f"/api/cameras/{camera_id}").status_code == 200


def test_the_add_form_says_what_is_wrong_in_the_pages_language(world: World, camera_id: str):
    """Source and size rules come back translated, next to their fields, with a 200 page."""
    japanese = {"Accept-Language": "ja"}
    with world.session("adam") as admin:
        form = {**_camera_form(admin, camera_id, "foo:bar"), "width": "5"}
        page = admin.post("/manage/cameras/new/", data=form, headers=japanese)
        assert page.status_code == 200  # a re-shown form is no error for the browser
        assert "不明なソースの種類 &#x27;foo&#x27; です" in page.text
        assert "16 ピクセル以上を指定してください。" in page.text  # the width rule
        english = admin.post("/manage/cameras/new/", data=form)
        assert "unknown source kind &#x27;foo&#x27;; use pattern:" in english.text
        assert admin.get(f"/api/cameras/{camera_id}").status_code == 404


def test_the_settings_form_keeps_the_shared_bitrate_rule(world: World):
    """The camera page refuses a bitrate cap the API and CLI refuse (too low for a picture)."""
    with world.bearer("admin") as api:
        before = api.get("/api/cameras/demo").json()["bitrate"]
    with world.session("otto") as client:
        form = {**_camera_form(client, "demo", "pattern:"), "bitrate": "5"}
        answer = client.post("/cameras/demo/settings", data=form)
        assert answer.status_code == 303
        page = client.get(answer.headers["location"]).text
        assert "at least 50 kbit/s" in page
    with world.bearer("admin") as api:
        assert api.get("/api/cameras/demo").json()["bitrate"] == before
