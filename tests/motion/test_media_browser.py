"""The media page in a real Chromium: a recording plays in the page's <video> player."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable

import pytest

from tests.support.server import ADMIN_PASSWORD, LivecamServer
from tests.support.sse import EventLog, recording

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (make browser installs it)")
def test_recording_plays_in_the_browser(
    server: LivecamServer, camera_id: str, follow_events: Callable[[], EventLog]
):
    from playwright.sync_api import sync_playwright

    server.add_camera(camera_id, "pattern:", "--width", "320", "--height", "240", "--fps", "10")
    server.wait_for(camera_id, lambda s: s["state"] == "online", timeout=20)
    events = follow_events()
    with server.api() as api:
        api.post(f"/api/cameras/{camera_id}/recordings/start")
        events.wait_for(recording(camera_id, "started"))
        time.sleep(2)  # the scenario: record two seconds
        api.post(f"/api/cameras/{camera_id}/recordings/stop")
        done = events.wait_for(recording(camera_id, "ended"))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(server.url("/login/"))
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", ADMIN_PASSWORD)
            page.click("button[type=submit]")
            page.goto(server.url(f"/cameras/{camera_id}/media"))
            assert page.locator(f'tr[data-recording="{done["id"]}"]').count() == 1
            page.click(f'a[data-play="{done["url"]}"]')
            page.wait_for_function(
                "() => { const v = document.getElementById('player');"
                " return v.readyState >= 2 && v.duration > 0 && v.videoWidth > 0; }",
                timeout=20_000,
            )
            duration = page.evaluate("document.getElementById('player').duration")
            width = page.evaluate("document.getElementById('player').videoWidth")
            assert width == 320
            assert abs(duration - done["duration"]) <= 0.2 * done["duration"]
            assert page.evaluate("document.getElementById('player').error") is None
        finally:
            browser.close()
