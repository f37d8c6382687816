"""The add-camera page in a real Chromium: the source picker, the Test button, the form."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser


def _open(server: LivecamServer, new_page: Any, path: str = "/manage/cameras/new/") -> Any:
    page = new_page()
    log_in(page, server)
    page.goto(server.url(path), wait_until="domcontentloaded")
    return page


def test_test_button_shows_the_probe_and_a_preview_then_the_camera_is_added(
    module_server: LivecamServer, new_page: Any
):
    page = _open(module_server, new_page)
    page.get_by_label("Test pattern").check()
    expect(page.locator("#id_source")).to_have_value("pattern:")
    page.get_by_role("button", name="Test").click()
    summary = page.locator("[data-probe-summary]")
    expect(summary).to_contain_text("640 \u00d7 480", timeout=20_000)
    expect(summary).to_contain_text("raw")
    preview = page.locator("[data-probe-preview]")
    expect(preview).to_be_visible()
    width = preview.evaluate(
        "img => new Promise(r => img.complete ? r(img.naturalWidth) : "
        "img.addEventListener('load', () => r(img.naturalWidth)))"
    )
    assert width == 640
    page.locator("#id_id").fill("garden")
    page.locator("#id_label").fill("Garden")
    page.get_by_role("button", name="Add camera").click()
    page.wait_for_url(module_server.url("/cameras/garden/"), wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Garden", level=1)).to_be_visible()


def test_a_refused_source_is_explained_by_test_and_next_to_the_field(
    module_server: LivecamServer, new_page: Any
):
    page = _open(module_server, new_page)
    page.get_by_label("Video file").check()
    page.locator("[data-file-input]").fill("/etc/passwd")
    expect(page.locator("#id_source")).to_have_value("file:/etc/passwd")
    page.get_by_role("button", name="Test").click()
    expect(page.locator("[data-probe-result]")).to_contain_text("files must be under")
    page.locator("#id_id").fill("Bad Id")
    page.get_by_role("button", name="Add camera").click()
    expect(page.locator("#id_source_error")).to_contain_text("files must be under")
    expect(page.locator("#id_id_error")).to_be_visible()
    # The form keeps what was typed, and the picker shows the file again.
    expect(page.locator("[data-file-input]")).to_have_value("/etc/passwd")


def test_edit_and_remove_with_confirmation(module_server: LivecamServer, new_page: Any):
    module_server.add_camera("shed", "pattern:", "--width", "160", "--height", "120")
    page = _open(module_server, new_page, "/cameras/shed/")
    page.locator("[data-edit-camera]").click()
    expect(page.locator("#id_id")).to_be_disabled()
    page.locator("#id_label").fill("Shed")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Shed", level=1)).to_be_visible()
    page.goto(module_server.url("/manage/cameras/shed/"), wait_until="domcontentloaded")
    page.get_by_role("link", name="Remove camera…").click()
    expect(page.get_by_role("heading", name="Remove Shed?")).to_be_visible()
    page.locator("[data-confirm-remove]").click()
    page.wait_for_url(module_server.url("/"), wait_until="domcontentloaded")
    with module_server.api() as client:
        assert client.get("/api/cameras/shed").status_code == 404
