"""The camera page in a real Chromium: full-size stream, fullscreen, snapshot, settings form."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import seed
from tests.support.browser import (
    PICTURE_CLEARED,
    PICTURE_SHOWN,
    camera_state,
    log_in,
    picture,
    pixels_differ,
    switch,
    wait_until,
)
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(module_server: LivecamServer) -> LivecamServer:
    """One test-pattern camera at 640x480."""
    seed(
        module_server,
        {"id": "lab", "label": "Lab", "source": "pattern:", "width": 640, "height": 480},
    )
    return module_server


def _open(server: LivecamServer, new_page: Any) -> Any:
    page = new_page()
    # These tests are about the MJPEG picture; the H.264 player is tested in test_camera_video.
    page.add_init_script("localStorage.setItem('livecam.video', 'mjpeg')")
    log_in(page, server)
    page.goto(server.url("/cameras/lab/"), wait_until="domcontentloaded")
    return page


def test_full_size_live_view_with_details(server: LivecamServer, new_page: Any):
    switch(server, "lab", True)
    page = _open(server, new_page)
    page.wait_for_function(PICTURE_SHOWN, arg="lab")
    img = page.locator("#camera-lab .view img")
    assert "width=" not in img.get_attribute("src")  # the full stream, not a grid variant
    wait_until(
        lambda: page.evaluate("document.querySelector('#camera-lab img').naturalWidth") == 640,
        what="the full-size picture",
    )
    first = picture(page, "lab")
    wait_until(lambda: pixels_differ(first, picture(page, "lab")), what="the picture to change")
    details = page.locator("[data-camera-details]")
    expect(details).to_contain_text("pattern")
    expect(details.locator("[data-field=size]")).to_have_text("640 \u00d7 480")
    expect(details.locator("[data-field=state-text]")).to_have_text("online")
    expect(details.locator("[data-field=viewers-count]")).not_to_have_text("0")


def test_fullscreen_and_snapshot_download(server: LivecamServer, new_page: Any):
    switch(server, "lab", True)
    server.wait_for("lab", lambda s: s["state"] == "online", timeout=15)
    page = _open(server, new_page)
    page.get_by_role("button", name="Fullscreen").click()
    # Functions, not expression strings: those would need eval, which the page's CSP forbids.
    page.wait_for_function("() => document.fullscreenElement?.id === 'camera-lab-view'")
    page.get_by_role("button", name="Exit fullscreen").click()  # the same button leaves it
    page.wait_for_function("() => document.fullscreenElement === null")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download snapshot").click()
    download = download_info.value
    assert download.suggested_filename == "lab.jpg"
    with open(download.path(), "rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"


def test_switch_on_and_off_on_the_camera_page(server: LivecamServer, new_page: Any):
    switch(server, "lab", False)
    page = _open(server, new_page)
    page.get_by_role("button", name="Power of Lab").click()
    server.wait_for("lab", lambda s: s["state"] == "online", timeout=15)
    page.wait_for_function(PICTURE_SHOWN, arg="lab")
    first = picture(page, "lab")
    wait_until(lambda: pixels_differ(first, picture(page, "lab")), what="the picture to change")
    wait_until(lambda: camera_state(server, "lab")["viewers"] == 1, what="one viewer")
    expect(page.get_by_role("link", name="Download snapshot")).to_have_attribute(
        "aria-disabled", "false"
    )
    fullscreen = page.get_by_role("button", name="Fullscreen")
    expect(fullscreen).to_be_visible()
    page.get_by_role("button", name="Power of Lab").click()
    page.wait_for_function(PICTURE_CLEARED, arg="lab")
    expect(fullscreen).to_be_hidden()  # nothing to enlarge while OFF
    wait_until(lambda: camera_state(server, "lab")["viewers"] == 0, timeout=5, what="0 viewers")
    expect(page.get_by_role("link", name="Download snapshot")).to_have_attribute(
        "aria-disabled", "true"
    )


def test_settings_errors_are_shown_inline_then_saved(server: LivecamServer, new_page: Any):
    switch(server, "lab", True)
    page = _open(server, new_page)
    page.get_by_label("width").fill("10")
    page.get_by_label("JPEG quality").fill("0")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    width = page.get_by_label("width")
    expect(width).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_width_error")).to_contain_text("at least 16 pixels")
    expect(page.locator("#id_quality_error")).to_contain_text("greater than or equal to 1")
    assert "id_width_error" in (width.get_attribute("aria-describedby") or "")
    expect(width).to_have_value("10")  # what the user typed stays, to be corrected
    width.fill("320")
    page.get_by_label("height").fill("240")
    page.get_by_label("JPEG quality").fill("70")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").first).to_contain_text("Settings of Lab saved.")
    server.wait_for("lab", lambda s: s["state"] == "online" and s["width"] == 320, timeout=15)
    wait_until(
        lambda: page.evaluate("document.querySelector('#camera-lab img').naturalWidth") == 320,
        what="the stream at the new size",
    )
    expect(page.locator("[data-field=size]")).to_have_text("320 \u00d7 240")
