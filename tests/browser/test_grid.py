"""Twelve cameras on one dashboard in Chromium over HTTP/1.1: every tile stays live.

Beyond four cameras the grid gets every tile's pictures over one multiplexed tile stream
(``tiles.mjpg``), so the page's own requests never wait for a connection.
"""

from __future__ import annotations

import io
import statistics
import time
from typing import Any

import psutil
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import seed, seed_patterns
from tests.support.browser import (
    PHONE,
    PICTURE_CLEARED,
    api_to_page_delays,
    camera_state,
    log_in,
    switch,
    wait_until,
)
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser

IDS = [f"cam{n:02d}" for n in range(1, 13)]
TALL_DESKTOP = {"width": 1440, "height": 1400}  # all twelve tiles in view at once


@pytest.fixture(scope="module")
def server(module_server: LivecamServer) -> LivecamServer:
    """Twelve test-pattern cameras, 320x240 at 10 fps."""
    return seed_patterns(module_server, IDS, lambda cid: f"Camera {cid[3:]}", fps=10)


def _frames(page: Any) -> dict[str, int]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('article.camera')]"
        ".map(c => [c.dataset.camera, Number(c.dataset.frames || 0)]))"
    )


def _tile_pictures(page: Any) -> dict[str, Any]:
    """Return each tile's picture cropped from one screenshot of the whole viewport."""
    from PIL import Image

    boxes = {cid: page.locator(f"#camera-{cid} .view img").bounding_box() for cid in IDS}
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    return {
        cid: shot.crop(
            (int(b["x"]), int(b["y"]), int(b["x"] + b["width"]), int(b["y"] + b["height"]))
        )
        for cid, b in boxes.items()
    }


@pytest.mark.timeout(180)
def test_twelve_cameras_all_update(server: LivecamServer, new_page: Any):
    from PIL import ImageChops

    page = new_page(viewport=TALL_DESKTOP)
    log_in(page, server)
    expect(page.locator("#cameras")).to_have_attribute("data-mode", "tiles")
    wait_until(lambda: min(_frames(page).values()) >= 3, timeout=30, what="a picture on every tile")
    first = _tile_pictures(page)
    moved: set[str] = set()

    def all_moved() -> bool:
        for cid, now in _tile_pictures(page).items():
            if ImageChops.difference(first[cid], now).getbbox() is not None:
                moved.add(cid)
        return len(moved) == len(IDS)

    wait_until(all_moved, timeout=30, what="every tile's picture to change")
    process = psutil.Process(server.process.pid)
    cpu_before = process.cpu_times()
    start, before = time.monotonic(), _frames(page)
    wait_until(lambda: time.monotonic() - start >= 5)
    after, elapsed = _frames(page), time.monotonic() - start
    cpu_after = process.cpu_times()
    cpu = (cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system) / elapsed
    rates = [(after[cid] - before[cid]) / elapsed for cid in IDS]
    print(
        f"tile rates over {elapsed:.1f} s: min {min(rates):.1f}, median "
        f"{statistics.median(rates):.1f}, max {max(rates):.1f} pictures/s; "
        f"server CPU {cpu * 100:.0f} % of a core (capture of 12 cameras included)"
    )
    # Each tile asks for 10 pictures a second of a 10 fps camera, and gets 5 or more on a quiet
    # machine. Generous: a loaded 2-core machine (the server, twelve captures and Chromium on
    # it, beside other jobs) gives fewer. The figures are printed for the record.
    assert min(rates) >= 3, rates
    # The grid leaves connections free: an API call from the page is answered at once.
    took = page.evaluate(
        "async () => { const t = performance.now(); const r = await fetch('/api/cameras');"
        " await r.json(); return performance.now() - t; }"
    )
    assert took < 1000, f"/api/cameras took {took:.0f} ms from the busy page"


def test_api_change_reaches_the_grid_within_one_second(server: LivecamServer, new_page: Any):
    page = new_page(viewport=TALL_DESKTOP)
    log_in(page, server)
    card = page.locator("#camera-cam07")
    # Measure once the grid runs (every tile has shown a picture), not in the first rush.
    wait_until(lambda: min(_frames(page).values()) >= 1, timeout=30, what="a running grid")
    from_answer = api_to_page_delays(server, card, "cam07", 4, "grid")
    assert max(from_answer) < 1.0, from_answer


def test_phone_streams_only_the_tiles_in_view(server: LivecamServer, new_page: Any):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(page, server)
    wait_until(lambda: _frames(page)["cam01"] >= 3, what="the first tile to update")
    assert _frames(page)["cam12"] == 0, "a tile far below the screen was fetched"
    page.locator("#camera-cam12").scroll_into_view_if_needed()
    wait_until(lambda: _frames(page)["cam12"] >= 3, what="the last tile once scrolled to")


ON_DEMAND = "cam00-od"  # sorts first: the first tile of the grid
HIDE = """() => {
  Object.defineProperty(document, 'hidden', { value: true, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}"""
SHOW = """() => {
  Object.defineProperty(document, 'hidden', { value: false, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_an_on_demand_camera_stays_awake_while_its_tile_is_shown(
    server: LivecamServer, new_page: Any
):
    seed(
        server,
        {
            "id": ON_DEMAND,
            "source": "pattern:",
            "width": 320,
            "height": 240,
            "fps": 10,
            "on_demand": True,
            "linger": 1.0,
        },
    )
    try:
        server.wait_for(ON_DEMAND, lambda s: s["state"] == "idle", timeout=20)
        page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        log_in(page, server)
        wait_until(lambda: _frames(page)[ON_DEMAND] >= 3, timeout=20, what="the tile's pictures")
        # Four lingers long: a snapshot poller flapped idle/online here; a tile stream holds.
        seen, start = set(), time.monotonic()
        while time.monotonic() - start < 4:
            state = camera_state(server, ON_DEMAND)
            seen.add((state["state"], state["viewers"]))
            time.sleep(0.1)  # sampling the API: the flap would show as an idle sample
        assert seen == {("online", 1)}, seen
        # Scrolled away: the stream is reopened without it; the server sees the viewer leave.
        page.locator(f"#camera-{IDS[-1]}").scroll_into_view_if_needed()
        server.wait_for(ON_DEMAND, lambda s: s["viewers"] == 0, timeout=5)
        server.wait_for(ON_DEMAND, lambda s: s["state"] == "idle", timeout=10)
        before = _frames(page)[ON_DEMAND]
        page.locator(f"#camera-{ON_DEMAND}").scroll_into_view_if_needed()
        server.wait_for(ON_DEMAND, lambda s: s["state"] == "online" and s["viewers"] == 1)
        wait_until(lambda: _frames(page)[ON_DEMAND] > before + 2, what="pictures again")
        # A hidden tab closes the stream; showing it again reopens it.
        page.evaluate(HIDE)
        server.wait_for(ON_DEMAND, lambda s: s["viewers"] == 0, timeout=5)
        page.evaluate(SHOW)
        server.wait_for(ON_DEMAND, lambda s: s["viewers"] == 1, timeout=5)
        # Switched OFF: left out of the stream at once.
        switch(server, ON_DEMAND, on=False)
        server.wait_for(ON_DEMAND, lambda s: s["state"] == "off" and s["viewers"] == 0)
        expect(page.locator(f"#camera-{ON_DEMAND}")).to_have_attribute("data-enabled", "false")
        page.wait_for_function(PICTURE_CLEARED, arg=ON_DEMAND)  # its note, not an old picture
    finally:
        server.cli("camera", "remove", ON_DEMAND)
