"""What a first-time user meets on the dashboard, camera and media pages (issue 21), in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import seed
from tests.support.browser import camera_state, log_in, switch, wait_until
from tests.support.server import ADMIN_PASSWORD, LivecamServer

pytestmark = pytest.mark.browser

HIDDEN_ADDRESS = "10.255.1.2"


def make_user(server: LivecamServer, username: str, role: str | None) -> None:
    """Create a user with this role (None: no role at all)."""
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from livecam.access.roles import set_role\n"
        f"u, _ = get_user_model().objects.get_or_create(username={username!r})\n"
        f"u.set_password({ADMIN_PASSWORD!r}); u.save()\n"
        + (f"set_role(u, {role!r})\n" if role else "")
    )
    server.cli("shell", "-c", code)


@pytest.fixture(scope="module")
def server(module_server: LivecamServer) -> LivecamServer:
    """Cameras whose ids sort differently from their labels, one of them broken."""
    seed(
        module_server,
        {"id": "a-yard", "label": "Yard", "source": "pattern:", "width": 320, "height": 240},
        {"id": "b-broken", "label": "Broken", "source": f"mjpeg+http://{HIDDEN_ADDRESS}:9/c"},
        {"id": "c-hall", "label": "Hall", "source": "pattern:", "width": 320, "height": 240},
    )
    make_user(module_server, "vera", "viewer")
    make_user(module_server, "otto", "operator")
    make_user(module_server, "nora", None)
    module_server.wait_for("b-broken", lambda s: s["state"] == "error", timeout=30)
    return module_server


def _titles(page: Any) -> list[str]:
    return page.locator("article.camera h2").all_inner_texts()


def test_cameras_sorted_by_label_and_added_or_removed_live(server: LivecamServer, new_page: Any):
    page = new_page()
    log_in(page, server)
    expect(page.locator("article.camera h2")).to_have_text(["Broken", "Hall", "Yard"])
    seed(server, {"id": "z-garage", "label": "Garage", "source": "pattern:", "enabled": False})
    # No reload: the page hears of the new camera and puts it in label order.
    expect(page.locator("article.camera h2")).to_have_text(
        ["Broken", "Garage", "Hall", "Yard"], timeout=15_000
    )
    expect(page.locator("#summary")).to_contain_text("of 4")
    server.cli("camera", "remove", "z-garage")
    # An OFF camera publishes nothing when removed: the periodic access check (10 s) sees it.
    cards = page.locator("article.camera h2")
    expect(cards).to_have_text(["Broken", "Hall", "Yard"], timeout=15_000)


def test_viewers_see_the_reason_without_the_source_address(server: LivecamServer, new_page: Any):
    viewer = new_page()
    log_in(viewer, server, "vera")
    error = viewer.locator("#camera-b-broken [data-field=error]")
    expect(error).to_contain_text("the source")  # "cannot reach the source: …" or the like
    assert HIDDEN_ADDRESS not in viewer.content()
    admin = new_page()
    log_in(admin, server)
    expect(admin.locator("#camera-b-broken [data-field=error]")).to_contain_text(HIDDEN_ADDRESS)
    with server.session("vera") as client:
        assert HIDDEN_ADDRESS not in client.get("/api/cameras/b-broken").text


def test_a_user_without_a_role_is_told_whom_to_ask(server: LivecamServer, new_page: Any):
    page = new_page()
    log_in(page, server, "nora")
    empty = page.locator("#no-cameras")
    expect(empty).to_contain_text("Your account has no role yet")
    expect(empty).to_contain_text("Ask an admin of this livecam (admin)")
    expect(empty).not_to_contain_text("livecam camera add")


def test_all_off_asks_first_with_and_without_javascript(server: LivecamServer, new_page: Any):
    for camera_id in ("a-yard", "c-hall"):
        switch(server, camera_id, True)
    page = new_page()
    log_in(page, server, "otto")
    questions: list[str] = []

    def dismiss(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="All off").click()
    wait_until(lambda: questions, what="the question")
    assert questions == ["Switch off all 3 cameras for everyone?"]
    assert camera_state(server, "a-yard")["enabled"], "dismissed: nothing switched"
    plain = new_page(java_script_enabled=False)
    log_in(plain, server, "otto")
    plain.get_by_role("button", name="All off").click()
    expect(plain.locator("h1")).to_have_text("Switch off all 3 cameras for everyone?")
    assert camera_state(server, "a-yard")["enabled"], "asked first, even without JavaScript"
    plain.get_by_role("button", name="Switch all off").click()
    plain.wait_for_url(server.url("/"))
    wait_until(lambda: not camera_state(server, "a-yard")["enabled"], what="all OFF")
    switch(server, "a-yard", True)
    switch(server, "c-hall", True)


def test_camera_page_snapshot_fullscreen_and_menu(server: LivecamServer, new_page: Any):
    switch(server, "c-hall", False)
    page = new_page()
    log_in(page, server)
    page.goto(server.url("/cameras/c-hall/"), wait_until="domcontentloaded")
    snapshot = page.get_by_role("link", name="Download snapshot")
    expect(snapshot).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#snapshot-why")).to_be_visible()
    expect(page.locator("#snapshot-why")).to_contain_text("while the camera is online")
    switch(server, "c-hall", True)
    expect(snapshot).to_have_attribute("aria-disabled", "false")
    expect(page.locator("#snapshot-why")).to_be_hidden()
    button = page.locator("button.fullscreen")
    expect(button).to_have_text("Fullscreen")
    button.click()
    expect(button).to_have_text("Exit fullscreen")
    button.click()
    expect(button).to_have_text("Fullscreen")
    menu = page.locator("details.usermenu")
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(menu.locator("summary")).to_be_focused()


def test_rejected_settings_are_not_shown_as_applied(server: LivecamServer, new_page: Any):
    page = new_page()
    log_in(page, server)
    page.goto(server.url("/cameras/a-yard/"), wait_until="domcontentloaded")
    page.get_by_label("JPEG quality").fill("500")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url(server.url("/cameras/a-yard/#settings-title"))
    expect(page.locator("#id_quality_error")).to_contain_text("less than or equal to 100")
    expect(page.get_by_label("JPEG quality")).to_have_value("500")  # what was typed, to fix
    details = page.locator("[data-camera-details]")
    expect(details).not_to_contain_text("500")
    expect(details).to_contain_text("80")  # the saved quality
    page.reload(wait_until="domcontentloaded")  # a GET: nothing is sent again
    expect(page.locator("#id_quality_error")).to_have_count(0)


def test_motion_settings_on_the_camera_page(server: LivecamServer, new_page: Any):
    page = new_page()
    log_in(page, server)
    page.goto(server.url("/cameras/a-yard/"), wait_until="domcontentloaded")
    page.get_by_label("detect motion").check()
    page.get_by_role("button", name="Save motion settings").click()
    expect(page.get_by_role("status").first).to_contain_text("Motion settings of Yard saved.")
    expect(page.get_by_label("detect motion")).to_be_checked()
    operator = new_page()
    log_in(operator, server, "otto")
    operator.goto(server.url("/cameras/a-yard/"), wait_until="domcontentloaded")
    expect(operator.locator("#motion-settings")).to_contain_text("Motion detection")
    expect(operator.get_by_role("button", name="Save motion settings")).to_have_count(0)
    operator.goto(server.url("/cameras/a-yard/media"), wait_until="domcontentloaded")
    expect(operator.locator(".media-status")).to_contain_text("Motion detection is on.")
    operator.get_by_role("link", name="Motion settings").click()
    expect(operator.locator("#motion-title")).to_be_visible()


def test_a_manual_recording_finishes_live_on_the_media_page(server: LivecamServer, new_page: Any):
    switch(server, "c-hall", True)
    server.wait_for("c-hall", lambda s: s["state"] == "online", timeout=15)
    page = new_page()
    log_in(page, server)
    page.goto(server.url("/cameras/c-hall/media"), wait_until="domcontentloaded")
    page.get_by_role("button", name="Record").click()
    row = page.locator("tr[data-recording]").first
    expect(row.locator("[data-field=rec-state]")).to_have_text("recording")  # no reload
    page.get_by_role("button", name="Stop").click()
    expect(row.locator("[data-field=rec-state]")).to_have_text("done", timeout=20_000)
    expect(row.get_by_role("link", name="Play")).to_be_visible()
    expect(row).to_contain_text("manual")
    # Delete asks first; without JavaScript on a page of its own.
    plain = new_page(java_script_enabled=False)
    log_in(plain, server)
    plain.goto(server.url("/cameras/c-hall/media"), wait_until="domcontentloaded")
    plain.locator("tr[data-recording]").first.get_by_role("button", name="Delete").click()
    expect(plain.locator("h1")).to_contain_text("Delete the recording of")
    plain.get_by_role("button", name="Delete").click()
    expect(plain.get_by_role("status").first).to_contain_text("Recording deleted.")
