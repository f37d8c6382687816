"""Japanese pages and readable contrast, checked in a real Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import seed
from tests.support.browser import log_in
from tests.support.server import ADMIN_PASSWORD, LivecamServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(module_server: LivecamServer) -> LivecamServer:
    """One camera ON and one OFF."""
    seed(
        module_server,
        {"id": "gate", "label": "Gate", "source": "pattern:", "width": 320, "height": 240},
        {"id": "shed", "label": "Shed", "source": "pattern:", "enabled": False},
    )
    module_server.wait_for("gate", lambda s: s["state"] == "online", timeout=15)
    return module_server


def test_japanese_locale_renders(server: LivecamServer, new_page: Any):
    page = new_page(locale="ja-JP")
    page.goto(server.url("/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("livecam にログイン")
    page.get_by_label("ユーザー名").fill("admin")
    page.get_by_label("パスワード").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(server.url("/"))
    expect(page.get_by_role("heading", name="カメラ", level=1)).to_be_visible()
    expect(page.locator("#camera-gate [data-field=state-label]")).to_have_text("オンライン")
    expect(page.locator("#camera-shed [data-field=state-label]")).to_have_text("オフ")
    expect(page.locator("#camera-shed [data-field=note]")).to_have_text("カメラはオフです")
    expect(page.get_by_role("button", name="すべてオフ")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("台中")  # "1 of 2 online", in Japanese
    page.locator("#camera-shed button.switch").click()  # a string set by livecam.js
    expect(page.locator("#camera-shed [data-field=switch-text]")).to_have_text("オン")
    page.goto(server.url("/cameras/gate/"), wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="詳細")).to_be_visible()
    expect(page.get_by_role("button", name="設定を保存", exact=True)).to_be_visible()
    page.goto(server.url("/account/tokens/"))
    expect(page.get_by_role("heading", name="API トークン", level=1)).to_be_visible()


def test_language_can_be_chosen_on_the_page(server: LivecamServer, new_page: Any):
    page = new_page(locale="en-US")
    log_in(page, server)
    page.get_by_label("Language").select_option("ja")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="カメラ", level=1)).to_be_visible()
    page.get_by_label("言語").select_option("en")
    page.get_by_role("button", name="変更").click()
    expect(page.get_by_role("heading", name="Cameras", level=1)).to_be_visible()


CONTRAST = (Path(__file__).parent / "contrast.js").read_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_aa(server: LivecamServer, new_page: Any, scheme: str):
    page = new_page(color_scheme=scheme)
    log_in(page, server)
    measured = page.evaluate(CONTRAST)
    assert len(measured) >= 10
    low = [m for m in measured if m[2] < 4.5]
    assert not low, f"text below 4.5:1 contrast in {scheme} mode: {low}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_error_pages_are_the_sites_own_in_japanese(
    server: LivecamServer, new_page: Any, scheme: str
):
    page = new_page(locale="ja-JP", color_scheme=scheme)
    log_in(page, server)
    answer = page.goto(server.url("/cameras/gate/no-such-page"))
    assert answer is not None and answer.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    expect(page.locator(".usermenu .username")).to_have_text("admin")  # the usual top bar
    low = [m for m in page.evaluate(CONTRAST) if m[2] < 4.5]
    assert not low, f"text below 4.5:1 contrast in {scheme} mode: {low}"
    page.get_by_role("link", name="カメラ一覧に戻る").click()
    expect(page.get_by_role("heading", name="カメラ", level=1)).to_be_visible()
