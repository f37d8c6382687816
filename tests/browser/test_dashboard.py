"""The dashboard in a real Chromium: login, ON/OFF, live events, keyboard, no JavaScript."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import seed
from tests.support.browser import (
    PHONE,
    PICTURE_CLEARED,
    PICTURE_SHOWN,
    api_to_page_delays,
    camera_state,
    log_in,
    picture,
    pixels_differ,
    switch,
    wait_until,
)
from tests.support.server import ADMIN_PASSWORD, LivecamServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(module_server: LivecamServer) -> LivecamServer:
    """Two test-pattern cameras: few enough that tiles are MJPEG streams."""
    seed(
        module_server,
        {"id": "front", "label": "Front door", "source": "pattern:", "width": 320, "height": 240},
        {"id": "back", "label": "Back yard", "source": "pattern:", "width": 320, "height": 240},
    )
    return module_server


def _ready(server: LivecamServer, camera_id: str, on: bool) -> None:
    switch(server, camera_id, on)
    server.wait_for(camera_id, lambda s: s["state"] == ("online" if on else "off"), timeout=15)


def test_login_and_user_menu(server: LivecamServer, new_page: Any):
    page = new_page()
    page.goto(server.url("/"))
    expect(page).to_have_url(server.url("/login/?next=/"))
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server.url("/"))
    expect(page.get_by_role("heading", name="Cameras", level=1)).to_be_visible()
    page.locator(".usermenu summary").click()
    expect(page.get_by_role("link", name="API tokens")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(server.url("/login/"))


def test_switch_on_shows_a_moving_picture(server: LivecamServer, new_page: Any):
    _ready(server, "back", False)
    page = new_page()
    log_in(page, server)
    card = page.locator("#camera-back")
    expect(card).to_have_attribute("data-enabled", "false")
    assert page.evaluate(PICTURE_CLEARED, "back")
    card.get_by_role("button", name="Power of Back yard").click()
    expect(card).to_have_attribute("data-enabled", "true")  # at once, before the server answers
    server.wait_for("back", lambda s: s["state"] == "online", timeout=15)
    page.wait_for_function(PICTURE_SHOWN, arg="back")
    first = picture(page, "back")
    wait_until(lambda: pixels_differ(first, picture(page, "back")), what="the picture to change")
    assert camera_state(server, "back")["enabled"] is True


def test_switch_off_clears_the_picture_and_the_viewer_leaves(server: LivecamServer, new_page):
    _ready(server, "front", True)
    page = new_page()
    log_in(page, server)
    page.wait_for_function(PICTURE_SHOWN, arg="front")
    wait_until(lambda: camera_state(server, "front")["viewers"] >= 1, what="the page's viewer")
    page.locator("#camera-front button.switch").click()
    page.wait_for_function(PICTURE_CLEARED, arg="front")
    expect(page.locator("#camera-front [data-field=note]")).to_have_text("Camera is OFF")
    start = time.monotonic()
    wait_until(lambda: camera_state(server, "front")["viewers"] == 0, timeout=5, what="0 viewers")
    print(f"viewer count reached 0 {time.monotonic() - start:.2f} s after the picture cleared")
    assert camera_state(server, "front")["enabled"] is False


def test_api_change_shows_on_an_open_page_within_one_second(server: LivecamServer, new_page):
    _ready(server, "front", True)
    page = new_page()
    log_in(page, server)
    card = page.locator("#camera-front")
    from_answer = api_to_page_delays(server, card, "front", 6, "page")
    assert max(from_answer) < 1.0, from_answer


def test_keyboard_only_on_off_with_visible_focus(server: LivecamServer, new_page: Any):
    _ready(server, "front", True)
    page = new_page()
    log_in(page, server)
    target = "#camera-front button.switch"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({target!r})"):
            break
    else:
        raise AssertionError("the ON/OFF switch cannot be reached with Tab")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline
    card = page.locator("#camera-front")
    page.keyboard.press("Space")
    expect(card).to_have_attribute("data-enabled", "false")
    wait_until(lambda: camera_state(server, "front")["enabled"] is False, what="OFF on the server")
    page.keyboard.press("Enter")
    expect(card).to_have_attribute("data-enabled", "true")
    wait_until(lambda: camera_state(server, "front")["enabled"] is True, what="ON on the server")


def test_hidden_tab_releases_the_stream_and_resumes(server: LivecamServer, new_page: Any):
    _ready(server, "front", True)
    page = new_page()
    log_in(page, server)
    page.wait_for_function(PICTURE_SHOWN, arg="front")
    wait_until(lambda: camera_state(server, "front")["viewers"] >= 1, what="the page's viewer")
    visibility = """hidden => {
      Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
      Object.defineProperty(document, 'visibilityState',
                            {configurable: true, get: () => hidden ? 'hidden' : 'visible'});
      document.dispatchEvent(new Event('visibilitychange'));
    }"""
    page.evaluate(visibility, True)
    page.wait_for_function(PICTURE_CLEARED, arg="front")
    wait_until(lambda: camera_state(server, "front")["viewers"] == 0, timeout=5, what="0 viewers")
    page.evaluate(visibility, False)
    page.wait_for_function(PICTURE_SHOWN, arg="front")
    wait_until(lambda: camera_state(server, "front")["viewers"] >= 1, what="the viewer back")
    page.goto("about:blank")  # leaving the page ends the stream too
    wait_until(lambda: camera_state(server, "front")["viewers"] == 0, timeout=5, what="0 viewers")


def test_all_off_and_all_on(server: LivecamServer, new_page: Any):
    _ready(server, "front", True)
    _ready(server, "back", True)
    page = new_page()
    log_in(page, server)
    page.once("dialog", lambda dialog: dialog.accept())  # "Switch off all … for everyone?"
    page.get_by_role("button", name="All off").click()
    for camera_id in ("front", "back"):
        expect(page.locator(f"#camera-{camera_id}")).to_have_attribute("data-enabled", "false")
        wait_until(lambda c=camera_id: not camera_state(server, c)["enabled"], what="all OFF")
    page.get_by_role("button", name="All on").click()
    for camera_id in ("front", "back"):
        expect(page.locator(f"#camera-{camera_id}")).to_have_attribute("data-enabled", "true")
        page.wait_for_function(PICTURE_SHOWN, arg=camera_id)
        assert camera_state(server, camera_id)["enabled"]


def test_a_failed_switch_is_shown_and_reverted(server: LivecamServer, new_page: Any):
    seed(server, {"id": "gone", "label": "Gone", "source": "pattern:", "enabled": False})
    page = new_page()
    log_in(page, server)
    card = page.locator("#camera-gone")
    expect(card).to_have_attribute("data-enabled", "false")
    server.cli("camera", "remove", "gone")
    card.locator("button.switch").click()
    expect(card.locator("[data-field=error]")).to_contain_text("no longer exists")
    expect(card).to_have_attribute("data-enabled", "false")
    expect(card.locator("button.switch")).to_have_attribute("aria-pressed", "false")


def test_on_off_works_without_javascript(server: LivecamServer, new_page: Any):
    _ready(server, "front", True)
    page = new_page(java_script_enabled=False)
    log_in(page, server)
    card = page.locator("#camera-front")
    assert "stream.mjpg" in card.locator("img").get_attribute("src")
    card.locator("button.switch").click()  # a plain form POST, answered 303 back to /
    expect(page).to_have_url(server.url("/"))
    expect(page.get_by_role("status")).to_contain_text("Front door switched off.")
    expect(page.locator("#camera-front")).to_have_attribute("data-enabled", "false")
    assert camera_state(server, "front")["enabled"] is False
    page.locator("#camera-front button.switch").click()
    expect(page.locator("#camera-front")).to_have_attribute("data-enabled", "true")
    assert camera_state(server, "front")["enabled"] is True


def test_phone_layout_fits_and_has_large_targets(server: LivecamServer, new_page: Any):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(page, server)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"
    for box in [b.bounding_box() for b in page.locator("button.switch").all()]:
        assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 390


def test_phone_main_controls_are_reachable_one_handed(server: LivecamServer, new_page: Any):
    _ready(server, "front", True)
    _ready(server, "back", True)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(page, server)
    buttons = [page.get_by_role("button", name=name) for name in ("All on", "All off")]

    def in_thumb_reach() -> None:
        for button in buttons:
            box = button.bounding_box()
            assert box is not None and box["height"] >= 44
            # The lowest fifth of the screen, wholly on it: where a thumb reaches.
            assert PHONE["height"] * 0.8 <= box["y"], box
            assert box["y"] + box["height"] <= PHONE["height"], box

    in_thumb_reach()  # at the top of the page
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    in_thumb_reach()  # and scrolled to its end, where the last camera is not hidden behind them
    bar = page.locator("#all-power").bounding_box()
    last = page.locator("#cameras > *").last.bounding_box()
    assert bar is not None and last is not None
    assert last["y"] + last["height"] <= bar["y"] + 1, (last, bar)
    page.once("dialog", lambda dialog: dialog.accept())
    buttons[1].tap()
    wait_until(lambda: not camera_state(server, "front")["enabled"], what="all OFF by tap")
    buttons[0].tap()
    wait_until(lambda: camera_state(server, "back")["enabled"], what="all ON by tap")


def test_the_phone_bar_is_only_on_phones(server: LivecamServer, new_page: Any):
    page = new_page()
    log_in(page, server)
    position = page.locator("#all-power").evaluate("form => getComputedStyle(form).position")
    assert position != "fixed"
