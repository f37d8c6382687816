"""The recording mode on the camera page's settings form (admins), shown to operators."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.server import LivecamServer

OPERATOR_PASSWORD = "operator-Password-1"


def _form(client: httpx.Client, camera_id: str) -> dict[str, str]:
    """The motion settings form's current values, as the page renders them."""
    page = client.get(f"/cameras/{camera_id}/").text
    form = page[page.index('action="/cameras/' + camera_id + '/motion-settings"') :]
    form = form[: form.index("</form>")]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind[1] in ("checkbox", "radio") and " checked" not in tag:
            continue
        values[name[1]] = value[1] if value else ""
    return values


def _save(client: httpx.Client, camera_id: str, **changes: str) -> httpx.Response:
    data = {**_form(client, camera_id), **changes}
    data = {key: value for key, value in data.items() if value is not None}
    data["csrfmiddlewaretoken"] = client.cookies["csrftoken"]
    return client.post(f"/cameras/{camera_id}/motion-settings", data=data)


@pytest.mark.parametrize(
    ("mode", "typed", "kept", "word"),
    [
        ("continuous", "mon-fri 18:00-08:00", "", "Continuous (24/7)"),
        ("schedule", "mon-fri 18:00-08:00", "mon-fri 18:00-08:00", "Continuous on a schedule"),
        ("motion", "", "", "On motion"),
        ("off", "", "", "Off"),
    ],
)
def test_each_mode_saves_and_comes_back(
    server: LivecamServer, camera_id: str, mode: str, typed: str, kept: str, word: str
):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    with server.session() as client:
        response = _save(client, camera_id, mode=mode, schedule=typed, motion="on", max_gb="2.5")
        assert response.status_code == 303, response.text
        assert 'id="motion-errors"' not in client.get(response.headers["location"]).text
        form = _form(client, camera_id)  # read back from the database through the page
        assert (form["mode"], form["schedule"], float(form["max_gb"])) == (mode, kept, 2.5)
        shown = re.search(
            r'data-field="recording-mode">([^<]+)<', client.get(f"/cameras/{camera_id}/").text
        )
        assert shown and shown[1] == word


def test_a_schedule_mode_without_a_schedule_and_a_bad_schedule_are_refused(
    server: LivecamServer, camera_id: str
):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    with server.session() as client:
        for schedule, error in (("", "Enter when to record"), ("someday 25:00", "schedule")):
            response = _save(client, camera_id, mode="schedule", schedule=schedule)
            assert response.status_code == 303
            page = client.get(response.headers["location"]).text
            assert 'id="id_schedule_error"' in page and error in page, schedule
        response = _save(client, camera_id, mode="motion", motion="")
        page = client.get(response.headers["location"]).text
        assert "needs motion detection on" in page
        assert _form(client, camera_id)["mode"] == "off"  # nothing refused was saved


def test_operators_see_the_mode_but_get_no_form(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    server.cli(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from livecam.access.roles import set_role; "
        "from livecam.motion.models import MotionSettings as M; "
        f"M.objects.update_or_create(camera_id='{camera_id}', "
        "defaults={'continuous': True, 'schedule': 'sat,sun 00:00-24:00'}); "
        "User.objects.filter(username='mode-operator').exists() or set_role("
        f"User.objects.create_user('mode-operator', password='{OPERATOR_PASSWORD}'), 'operator')",
    )
    with server.session("mode-operator", OPERATOR_PASSWORD) as client:
        page = client.get(f"/cameras/{camera_id}/").text
        assert f'action="/cameras/{camera_id}/motion-settings"' not in page
        mode = re.search(r'data-field="recording-mode">([^<]+)<', page)
        assert mode and mode[1] == "Continuous on a schedule"
        assert "(sat,sun 00:00-24:00)" in page
        media = client.get(f"/cameras/{camera_id}/media").text
        assert 'id="timeline"' in media and "Continuous on a schedule" in media
