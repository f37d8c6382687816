"""Debian's Chromium driven by Playwright: launch options and page helpers for browser tests."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from playwright.sync_api import expect

from tests.support.server import ADMIN_PASSWORD, LivecamServer

CHROMIUM = os.environ.get("LIVECAM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def missing_chromium() -> str | None:
    """Return why Chromium cannot run here, or None when it can."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (
            f"the browser tests need Chromium at {CHROMIUM} (Debian's 'chromium' package): "
            "run `make browser` (installs it when run as root) or `sudo apt-get install chromium`, "
            "or point LIVECAM_CHROMIUM at a Chromium binary"
        )
    return None


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Yield a Playwright Browser: Debian's Chromium, headless, with a fresh user-data dir."""
    from playwright.sync_api import sync_playwright

    problem = missing_chromium()
    if problem:
        raise RuntimeError(problem)
    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary user-data dir (it refuses --user-data-dir),
        # so no cache, cookie or permission survives from an earlier run.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def log_in(page: Any, server: LivecamServer, username: str = "admin") -> None:
    """Log in through the login form and land on the dashboard."""
    page.goto(server.url("/login/"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(ADMIN_PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    # Not "load": a page whose pictures are endless MJPEG streams may never finish loading.
    page.wait_for_url(server.url("/"), wait_until="domcontentloaded")


def wait_until(predicate: Callable[[], Any], timeout: float = 10, what: str = "condition") -> Any:
    """Poll `predicate` (a state outside the page, e.g. the server's API) until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)  # the server offers no event for this: poll gently


def picture(page: Any, camera_id: str) -> bytes:
    """Return a PNG screenshot of a camera's picture on the page (H.264 video or MJPEG)."""
    view = f"#camera-{camera_id} .view"
    shot: bytes = page.locator(f"{view} video:not([hidden]), {view} img[src]").first.screenshot()
    return shot


def pixels_differ(first: bytes, second: bytes) -> bool:
    """Return True when two PNG screenshots differ in at least one pixel."""
    import io

    from PIL import Image, ImageChops

    a = Image.open(io.BytesIO(first)).convert("RGB")
    b = Image.open(io.BytesIO(second)).convert("RGB")
    return a.size != b.size or ImageChops.difference(a, b).getbbox() is not None


# The current picture of a camera's H.264 <video>, drawn on a canvas (a PNG data URL).
VIDEO_GRAB = """id => {
  const video = document.querySelector('#camera-' + id + ' video');
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  return canvas.toDataURL('image/png');
}"""


def video_picture(page: Any, camera_id: str) -> Any:
    """Return the picture a camera's <video> shows now, as an RGB PIL image."""
    import base64
    import io

    from PIL import Image

    data = page.evaluate(VIDEO_GRAB, camera_id).split(",", 1)[1]
    return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")


# A card shows its picture as MJPEG (the <img>) or as H.264 (a <video> player.js added).
PICTURE_SHOWN = """id => {
  const img = document.querySelector('#camera-' + id + ' .view img');
  const video = document.querySelector('#camera-' + id + ' .view video');
  if (video && !video.hidden && video.hasAttribute('src') && video.videoWidth > 0) { return true; }
  return img.hasAttribute('src') && img.complete && img.naturalWidth > 0;
}"""
PICTURE_CLEARED = """id => {
  const img = document.querySelector('#camera-' + id + ' .view img');
  const video = document.querySelector('#camera-' + id + ' .view video');
  return !img.hasAttribute('src') && (!video || (video.hidden && !video.hasAttribute('src')));
}"""


def camera_state(server: LivecamServer, camera_id: str) -> dict[str, Any]:
    """Return the camera's JSON state from the server's API."""
    with server.api() as client:
        response = client.get(f"/api/cameras/{camera_id}")
        assert response.status_code == 200, response.text
        state: dict[str, Any] = response.json()
        return state


def switch(server: LivecamServer, camera_id: str, on: bool) -> dict[str, Any]:
    """Switch a camera through the API and return its state."""
    with server.api() as client:
        response = client.post(f"/api/cameras/{camera_id}/{'on' if on else 'off'}")
        assert response.status_code == 200, response.text
        state: dict[str, Any] = response.json()
        return state


def api_to_page_delays(
    server: LivecamServer, card: Any, camera_id: str, toggles: int, label: str
) -> list[float]:
    """Switch a camera through the API `toggles` times; return seconds from answer to page.

    Measured from the server's answer: the request itself (a database write) can take a
    second or more on a loaded machine, which says nothing about the page. The figures from
    the request are printed (and go in the report).
    """
    from_request, from_answer = [], []
    for index in range(toggles):
        on = index % 2 == 1
        started = time.time()
        switch(server, camera_id, on)
        answered = time.time()
        expect(card).to_have_attribute("data-enabled", "true" if on else "false", timeout=5000)
        shown = int(card.get_attribute("data-changed-at")) / 1000
        from_request.append(shown - started)
        from_answer.append(shown - answered)
    print(
        f"API → {label}: median {statistics.median(from_request) * 1000:.0f} ms, max "
        f"{max(from_request) * 1000:.0f} ms after the request; at most "
        f"{max(from_answer) * 1000:.0f} ms after the API answered"
    )
    return from_answer
