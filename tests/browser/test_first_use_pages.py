"""Share page, token and share-link listings, error pages and the admin, in Chromium (issue 21)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import seed
from tests.support.browser import DESKTOP, PHONE, log_in
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser

ZOOM_200 = {"viewport": {"width": 720, "height": 450}, "device_scale_factor": 2}
"""A 1440x900 window at 200 % zoom: 720x450 CSS pixels at two device pixels each."""
WIDTHS = {"desktop": {"viewport": DESKTOP}, "zoom": ZOOM_200, "phone": {"viewport": PHONE}}

FITS = """() => {
  const page = document.documentElement;
  const wraps = [...document.querySelectorAll('.table-wrap')];
  return page.scrollWidth <= page.clientWidth && wraps.every(w => w.scrollWidth <= w.clientWidth);
}"""


H264_PLAYING = "() => window.livecamPlayer && window.livecamPlayer.framesPresented > 5"
MJPEG_STOPPED = "() => !document.querySelector('.share-view img').hasAttribute('src')"


@pytest.fixture(scope="module")
def server(module_server: LivecamServer) -> LivecamServer:
    """One live camera, a long-named token and a share link."""
    seed(module_server, {"id": "porch", "label": "Porch", "source": "pattern:", "width": 320})
    module_server.cli(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from livecam.models import ApiToken\n"
        "ApiToken.issue(get_user_model().objects.get(username='admin'),"
        " name='nightly export of every camera to the archive', expires_at=None,"
        " read_only=True, cameras=[])",
    )
    return module_server


def _new_share_link(page: Any, server: LivecamServer) -> str:
    page.goto(server.url("/cameras/porch/share/"), wait_until="domcontentloaded")
    page.get_by_label("Label").fill("front desk screen")
    page.get_by_role("button", name="Create link").click()
    return page.locator("#new-page-url").inner_text()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_listings_and_share_links_fit_the_window(server: LivecamServer, new_page: Any, size: str):
    page = new_page(**WIDTHS[size])
    log_in(page, server)
    page.goto(server.url("/account/tokens/"), wait_until="domcontentloaded")
    assert page.evaluate(FITS), f"the token page scrolls sideways ({size})"
    revoke = page.get_by_role("button", name="Revoke").first
    revoke.scroll_into_view_if_needed()
    expect(revoke).to_be_in_viewport()
    box, card = revoke.bounding_box(), page.locator(".panel").first.bounding_box()
    assert box["x"] + box["width"] <= card["x"] + card["width"], "Revoke inside its card"
    assert page.evaluate("() => window.scrollX") == 0, "reached without scrolling sideways"
    _new_share_link(page, server)
    assert page.evaluate(FITS), f"the share-link page scrolls sideways ({size})"
    copy = page.locator("[data-copy-text=new-page-url]")
    expect(copy).to_be_visible()
    expect(copy).to_have_class(re.compile(r"\bbutton\b"))
    expect(page.get_by_role("button", name="Create link")).to_have_class(re.compile(r"\bbutton\b"))


def test_a_share_link_opens_a_page_of_the_camera_alone(server: LivecamServer, new_page: Any):
    admin = new_page()
    log_in(admin, server)
    url = _new_share_link(admin, server)
    assert re.fullmatch(re.escape(server.url("/share/")) + r"[\w-]+/", url)
    stranger = new_page(viewport=PHONE)  # not logged in
    stranger.goto(url, wait_until="domcontentloaded")
    expect(stranger.locator("h1")).to_have_text("Porch")
    expect(stranger.locator(".topbar, nav, footer")).to_have_count(0)  # nothing else of the site
    # H.264 (a tenth of MJPEG's bytes), with the MJPEG picture only until it plays.
    stranger.wait_for_function(H264_PLAYING)
    picture = stranger.locator(".share-view video").bounding_box()
    assert picture["width"] == PHONE["width"], "the picture spans the window"
    stranger.wait_for_function(MJPEG_STOPPED)
    assert stranger.evaluate(FITS)
    # The raw URLs for embedding keep working beside the page.
    with httpx.Client(timeout=10) as client:
        snapshot = client.get(url + "snapshot.jpg")
        assert snapshot.status_code == 200 and snapshot.content[:2] == b"\xff\xd8"
        with client.stream("GET", url + "stream.mjpg") as stream:
            assert stream.headers["content-type"].startswith("multipart/x-mixed-replace")
        assert client.get(server.url("/share/ls_not-a-real-secret/")).status_code == 404


@pytest.mark.parametrize("video", ["h264", "mjpeg"])
def test_a_revoked_share_link_says_so_on_its_page(server: LivecamServer, new_page: Any, video: str):
    admin = new_page()
    log_in(admin, server)
    url = _new_share_link(admin, server)
    stranger = new_page()
    if video == "mjpeg":  # a browser without Media Source Extensions keeps the MJPEG picture
        stranger.add_init_script("delete window.MediaSource; delete window.ManagedMediaSource;")
    stranger.goto(url, wait_until="domcontentloaded")
    if video == "h264":
        stranger.wait_for_function(H264_PLAYING)
    else:
        stranger.wait_for_function(
            "() => document.querySelector('.share-view img').naturalWidth > 0"
        )
    link_id = next(
        line.split()[0]
        for line in server.cli("share", "list", "porch").stdout.splitlines()
        if url.split("/")[-2][:10] in line and "active" in line
    )
    server.cli("share", "revoke", link_id)
    # Open streams close within the access re-check (10 s); the page then says why.
    note = stranger.get_by_role("status")
    expect(note).to_have_text("This share link no longer works.", timeout=20000)
    expect(stranger.locator(".share-view img")).to_be_hidden()


@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [
        ("en", "Page not found", "Back to the cameras"),
        ("ja", "ページが見つかりません", "カメラ一覧に戻る"),
    ],
)
def test_error_pages_look_like_the_site(
    server: LivecamServer, new_page: Any, language: str, heading: str, back: str
):
    page = new_page(locale=language, extra_http_headers={"Accept-Language": language})
    log_in(page, server)
    response = page.goto(server.url("/cameras/nowhere/"), wait_until="domcontentloaded")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator(".topbar .brand")).to_be_visible()
    page.get_by_role("link", name=back).click()
    page.wait_for_url(server.url("/"))


def test_the_admin_is_livecams(server: LivecamServer, new_page: Any):
    page = new_page()
    log_in(page, server)
    page.goto(server.url("/admin/livecam/camera/"), wait_until="domcontentloaded")
    expect(page).to_have_title(re.compile("livecam admin"))
    expect(page.locator("#site-name")).to_have_text("livecam administration")
    row = page.locator("#result_list tbody tr", has_text="porch")
    expect(row.locator(".field-state")).to_have_text(re.compile("online|starting|idle"))
    expect(row.locator(".field-source_kind")).to_have_text("pattern")
    expect(row.get_by_role("link", name="open")).to_have_attribute("href", "/cameras/porch/")
    page.goto(server.url("/admin/livecam/camera/porch/change/"), wait_until="domcontentloaded")
    expect(page.locator("#id_motion_settings-0-motion")).to_be_visible()  # settings inline
    page.goto(server.url("/admin/auth/user/add/"), wait_until="domcontentloaded")
    page.get_by_label("Username").fill("newcomer")
    page.locator("#id_password1").fill("a-Long-passphrase-42")
    page.locator("#id_password2").fill("a-Long-passphrase-42")
    page.get_by_label("Role").select_option("operator")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("newcomer")
    result = server.cli(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from livecam.access.roles import role_of\n"
        "print(role_of(get_user_model().objects.get(username='newcomer')))",
    )
    assert result.stdout.strip().splitlines()[-1] == "operator"
