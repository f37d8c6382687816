"""Pages without a browser: strict CSP, forms that work without JavaScript, tokens, roles."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from tests.support.server import LivecamServer

PAGES = ["/", "/cameras/demo/", "/account/tokens/", "/account/notifications/"]


def _csrf(client: httpx.Client) -> str:
    return client.cookies["csrftoken"]


@pytest.mark.parametrize("path", [*PAGES, "/login/"])
def test_pages_have_no_inline_script_and_a_strict_csp(server: LivecamServer, path: str):
    with server.session() as client:
        if path == "/login/":
            client.cookies.clear()
        response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for tag in re.findall(r"<script\b[^>]*>", response.text):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in response.text  # inline styles would be blocked by style-src 'self'
    # No CDN, nothing off-site: no attribute loads or links an absolute URL. (Text may name
    # URLs, e.g. another test's camera saying which upstream it cannot reach.)
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', response.text)


def test_dashboard_tiles_stream_up_to_four_cameras_then_share_one_tile_stream(
    fresh_server: LivecamServer,
):
    fresh_server.start("--demo")
    with fresh_server.session() as client:
        page = client.get("/").text
        assert 'data-mode="stream"' in page
        assert "/cameras/demo/stream.mjpg?width=480" in page
        for n in range(4):
            fresh_server.add_camera(f"extra-{n}", "pattern:", "--off")
        page = client.get("/").text
        assert 'data-mode="tiles"' in page
        assert 'data-tiles="/cameras/tiles.mjpg"' in page
        # The script fetches the pictures over one stream: no tile loads anything by itself.
        assert "stream.mjpg?" not in page and "snapshot.jpg?" not in page


def test_power_all_form_switches_every_camera(fresh_server: LivecamServer):
    fresh_server.start("--demo")
    fresh_server.add_camera("second", "pattern:", "--off")
    with fresh_server.session() as client, fresh_server.api() as api:
        client.get("/")
        before = [c["enabled"] for c in api.get("/api/cameras").json()]
        asked = client.post(
            "/cameras/power", data={"state": "off", "csrfmiddlewaretoken": _csrf(client)}
        )
        assert asked.status_code == 200 and "Switch off all 2 cameras for everyone?" in asked.text
        assert 'name="confirm" value="yes"' in asked.text  # the confirm page's own form
        assert [c["enabled"] for c in api.get("/api/cameras").json()] == before, "not yet"
        for state in ("on", "off", "on"):
            data = {"state": state, "confirm": "yes", "csrfmiddlewaretoken": _csrf(client)}
            response = client.post("/cameras/power", data=data)
            assert response.status_code == 303
            assert response.headers["location"] == "/"
            cameras = api.get("/api/cameras").json()
            assert [c["enabled"] for c in cameras] == [state == "on"] * 2
            assert f"All cameras switched {state}." in client.get("/").text
        bad = client.post(
            "/cameras/power", data={"state": "maybe", "csrfmiddlewaretoken": _csrf(client)}
        )
        assert bad.status_code == 400


def test_settings_form_errors_inline_then_saves(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "640", "--height", "480")
    try:
        with server.session() as client:
            assert 'name="width"' in client.get(f"/cameras/{camera_id}/").text
            data = {
                "width": "8",
                "height": "480",
                "fps": "-1",
                "quality": "101",
                "rotation": "45",
                "linger": "10",
                "csrfmiddlewaretoken": _csrf(client),
            }
            response = client.post(f"/cameras/{camera_id}/settings", data=data)
            # Post/Redirect/Get: a reload of the answer never sends the form again.
            assert response.status_code == 303
            assert response.headers["location"] == f"/cameras/{camera_id}/#settings-title"
            page = client.get(f"/cameras/{camera_id}/").text
            for name in ("width", "fps", "quality", "rotation"):
                assert f'id="id_{name}_error"' in page, name
            assert 'aria-invalid="true"' in page and 'value="8"' in page
            details = page[page.index("data-camera-details") : page.index("</dl>")]
            assert "101" not in details and "45°" not in details  # the saved values
            again = client.get(f"/cameras/{camera_id}/").text
            assert 'id="id_width_error"' not in again  # shown once, then the saved form
            data.update(width="320", height="240", fps="5", quality="60", rotation="90")
            response = client.post(f"/cameras/{camera_id}/settings", data=data)
            assert response.status_code == 303, response.text
            state = server.wait_for(
                camera_id, lambda s: s["state"] == "online" and s["width"] == 240
            )
            assert state["height"] == 320  # rotated by 90°
            data.update(on_demand="on", linger="30")
            assert client.post(f"/cameras/{camera_id}/settings", data=data).status_code == 303
            state = server.wait_for(camera_id, lambda s: s["state"] == "idle")
        with server.api() as api:
            assert api.get(f"/api/cameras/{camera_id}").json()["on_demand"] is True
    finally:
        server.cli("camera", "remove", camera_id)


def test_viewer_sees_no_switch_and_may_not_change_settings(server: LivecamServer):
    server.cli(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from livecam.access.roles import set_role\n"
        "u, _ = get_user_model().objects.get_or_create(username='watcher')\n"
        "u.set_password('test-admin-Password-1'); u.save(); set_role(u, 'viewer')",
    )
    with server.session("watcher") as client:
        dashboard = client.get("/").text
        assert "Live view of" in dashboard and 'class="power"' not in dashboard
        assert "All off" not in dashboard
        camera = client.get("/cameras/demo/").text
        assert "Save settings" not in camera
        response = client.post(
            "/cameras/demo/settings",
            data={"width": "320", "csrfmiddlewaretoken": _csrf(client)},
        )
        assert response.status_code == 403


def test_japanese_from_accept_language(server: LivecamServer):
    with server.session() as client:
        page = client.get("/", headers={"Accept-Language": "ja"}).text
    assert '<html lang="ja">' in page and "カメラ" in page and "すべてオン" in page
    block = re.search(r'<script id="livecam-strings" type="application/json">(.*?)</script>', page)
    strings = json.loads(block.group(1))  # the strings livecam.js shows
    assert strings["states"]["online"] == "オンライン" and strings["on"] == "オン"


def _po_entries(text: str) -> list[tuple[str, list[str], bool]]:
    """Return (msgid, msgstrs, fuzzy) for each entry of a .po file (continuation lines joined)."""
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith(("msgid", "msgstr", "msgctxt")):
                key, _, value = line.partition(" ")
                fields[key] = value.strip('"')
            elif line.startswith('"') and key:
                fields[key] += line.strip('"')
        if "msgid" in fields:
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((fields["msgid"], strs, "#, fuzzy" in block))
    return entries


def test_japanese_translation_is_complete():
    from pathlib import Path

    po = Path(__file__).resolve().parents[1] / "livecam/locale/ja/LC_MESSAGES/django.po"
    assert po.with_suffix(".mo").exists(), "compile the catalogue: livecam compilemessages"
    entries = [e for e in _po_entries(po.read_text()) if e[0]]  # skip the header
    assert len(entries) > 100
    assert not [e[0] for e in entries if e[2]], "fuzzy translations left"
    missing = [msgid for msgid, strs, _ in entries if not all(strs)]
    assert not missing, f"untranslated: {missing}"
