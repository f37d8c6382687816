"""The dashboard's H.264 cards in a real Chromium: a few cameras play stream.mp4 per card.

Up to four cameras (the "stream" layout) each card plays H.264 through player.js and
player_cards.js, one connection per card; larger grids keep the multiplexed tile stream.
"""

from __future__ import annotations

from typing import Any

import pytest
from PIL import ImageChops
from playwright.sync_api import expect

from tests.browser.conftest import seed, seed_patterns
from tests.support.browser import (
    PHONE,
    PICTURE_CLEARED,
    PICTURE_SHOWN,
    camera_state,
    log_in,
    switch,
    video_picture,
    wait_until,
)
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser

IDS = ["v1", "v2", "v3", "v4"]
EXTRA = ["v5"]  # a fifth camera turns the dashboard into the tile-stream grid
NO_MSE = "delete window.MediaSource; delete window.ManagedMediaSource;"
HIDE = """hidden => {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def _playing(camera_id: str) -> str:
    return (
        f"() => window.livecamCards && (window.livecamCards[{camera_id!r}] || {{}}).mode === 'h264'"
    )


def _presented(page: Any, camera_id: str) -> int:
    return int(page.evaluate(f"() => window.livecamCards[{camera_id!r}].framesPresented"))


@pytest.fixture(scope="module")
def server(module_server: LivecamServer) -> LivecamServer:
    """Four moving test-pattern cameras (the stream layout), 320x240 at 15 fps."""
    return seed_patterns(module_server, IDS, lambda cid: f"Video {cid[1:]}", fps=15)


def _requested(page: Any) -> list[str]:
    """Collect the URLs the page asks for (endless streams never reach the resource timing)."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


STREAMS = ("stream.mp4", "stream.mjpg", "tiles.mjpg", "/api/events")


def _open_streams(page: Any) -> list[int]:
    """Track how many endless requests (pictures, events) the page holds open, over time."""
    open_now: set[Any] = set()
    history: list[int] = []

    def opened(request: Any) -> None:
        if any(name in request.url for name in STREAMS):
            open_now.add(request)
            history.append(len(open_now))

    page.on("request", opened)
    page.on("requestfailed", lambda request: open_now.discard(request))  # aborted on purpose
    page.on("requestfinished", lambda request: open_now.discard(request))
    return history


def _dashboard(server: LivecamServer, new_page: Any, init_script: str = "", **options: Any) -> Any:
    page = new_page(**options)
    page.requested = _requested(page)
    if init_script:
        page.add_init_script(init_script)
    log_in(page, server)
    expect(page.locator("#cameras")).to_have_attribute("data-mode", "stream")
    return page


def test_small_grid_plays_h264_in_every_card(server: LivecamServer, new_page: Any):
    page = new_page()
    page.requested = _requested(page)
    held = _open_streams(page)
    log_in(page, server)
    expect(page.locator("#cameras")).to_have_attribute("data-mode", "stream")
    for cid in IDS:
        page.wait_for_function(_playing(cid))
        expect(page.locator(f"#camera-{cid} [data-field=video-mode]")).to_have_text("H.264")
        # The card's MJPEG picture was handed over: one connection per card.
        assert not page.locator(f"#camera-{cid} .view img").get_attribute("src")
    for cid in IDS:
        before = _presented(page, cid)
        first = video_picture(page, cid)
        page.wait_for_function(
            f"() => window.livecamCards[{cid!r}].framesPresented > {before + 15}"
        )
        wait_until(
            lambda c=cid, f=first: (
                ImageChops.difference(f, video_picture(page, c)).getbbox() is not None
            ),
            what=f"the picture of {cid} to change",
        )
    # One viewer per camera: the page's one H.264 stream each, no MJPEG left over.
    for cid in IDS:
        wait_until(
            lambda c=cid: camera_state(server, c)["viewers"] == 1, what=f"one viewer of {cid}"
        )
    # Each card asked for a width variant fitting its size (tiles are under 640 px wide).
    # At most four picture streams and the events stream at any moment: the sixth of the
    # browser's HTTP/1.1 connections stays free for ON/OFF (no MJPEG/H.264 overlap per card).
    assert held and max(held) <= 5, held
    urls = [url for url in page.requested if "stream.mp4" in url]
    assert len(urls) >= len(IDS) and all("width=" in url for url in urls), urls


def test_falls_back_to_mjpeg_per_card_without_media_source(server: LivecamServer, new_page):
    page = _dashboard(server, new_page, init_script=NO_MSE)
    for cid in IDS:
        expect(page.locator(f"#camera-{cid} [data-field=video-mode]")).to_have_text("MJPEG")
        mode = page.locator(f"#camera-{cid} [data-field=video-mode]")
        expect(mode).to_have_attribute(
            "title", "MJPEG, since H.264 did not play: this browser has no Media Source Extensions"
        )
        page.wait_for_function(PICTURE_SHOWN, arg=cid)
        assert page.locator(f"#camera-{cid} video").is_hidden()
        assert _presented(page, cid) == 0


def test_switch_off_and_on_from_the_dashboard(server: LivecamServer, new_page: Any):
    page = _dashboard(server, new_page)
    page.wait_for_function(_playing("v2"))
    wait_until(lambda: camera_state(server, "v2")["viewers"] == 1, what="one viewer")
    page.get_by_role("button", name="Power of Video 2").click()
    expect(page.locator("#camera-v2 [data-field=note]")).to_have_text("Camera is OFF")
    page.wait_for_function(PICTURE_CLEARED, arg="v2")  # the H.264 stream is closed
    wait_until(lambda: camera_state(server, "v2")["viewers"] == 0, timeout=5, what="0 viewers")
    page.get_by_role("button", name="Power of Video 2").click()
    expect(page.locator("#camera-v2 video")).to_be_visible()
    before = _presented(page, "v2")
    page.wait_for_function(f"() => window.livecamCards.v2.framesPresented > {before + 10}")
    wait_until(lambda: camera_state(server, "v2")["viewers"] == 1, what="one viewer again")
    # The other cards played on.
    assert camera_state(server, "v1")["viewers"] == 1


def test_hidden_tab_closes_every_card_stream(server: LivecamServer, new_page: Any):
    switch(server, "v2", True)
    page = _dashboard(server, new_page)
    for cid in IDS:
        page.wait_for_function(_playing(cid))
    page.evaluate(HIDE, True)
    for cid in IDS:
        wait_until(lambda c=cid: camera_state(server, c)["viewers"] == 0, timeout=5, what="0")
    page.evaluate(HIDE, False)
    for cid in IDS:
        before = _presented(page, cid)
        page.wait_for_function(f"() => window.livecamCards[{cid!r}].framesPresented > {before + 5}")
        wait_until(lambda c=cid: camera_state(server, c)["viewers"] == 1, what="one viewer again")


def test_a_card_scrolled_away_stops_its_stream(server: LivecamServer, new_page: Any):
    page = _dashboard(server, new_page, viewport=PHONE, is_mobile=True, has_touch=True)
    page.wait_for_function(_playing("v1"))
    wait_until(lambda: camera_state(server, "v1")["viewers"] == 1, what="v1 watched")
    page.locator("#camera-v4").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(_playing("v4"))
    wait_until(lambda: camera_state(server, "v1")["viewers"] == 0, timeout=5, what="v1 left")
    page.evaluate("() => window.scrollTo(0, 0)")
    before = _presented(page, "v1")
    page.wait_for_function(f"() => window.livecamCards.v1.framesPresented > {before + 5}")
    wait_until(lambda: camera_state(server, "v1")["viewers"] == 1, what="v1 watched again")


def test_a_large_grid_keeps_the_tile_stream(server: LivecamServer, new_page: Any):
    seed(
        server,
        {
            "id": "v5",
            "label": "Video 5",
            "source": "pattern:",
            "width": 320,
            "height": 240,
            "fps": 15,
        },
    )
    try:
        page = new_page()
        urls = _requested(page)
        log_in(page, server)
        expect(page.locator("#cameras")).to_have_attribute("data-mode", "tiles")
        # The tile stream shows pictures; no card has a video and no stream.mp4 was asked for.
        page.wait_for_function(
            "() => Number(document.querySelector('#camera-v1').dataset.frames) > 2"
        )
        assert page.evaluate("() => window.livecamCards === undefined")
        assert page.locator("article.camera video").count() == 0
        assert any("tiles.mjpg" in url for url in urls)
        assert not any("stream.mp4" in url for url in urls), urls
    finally:
        server.cli("camera", "remove", "v5")
