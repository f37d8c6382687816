"""Take the README's screenshots (docs/*.png) of a real server in Debian's Chromium.

Run ``make screenshots`` (or ``python -m tools.screenshots``); it needs Chromium like the
browser tests do.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import seed
from tests.support.browser import DESKTOP, PHONE, PICTURE_SHOWN, chromium, log_in, wait_until
from tests.support.server import LivecamServer

DOCS = Path(__file__).resolve().parents[1] / "docs"
CAMERAS = [
    {"id": "a-entrance", "label": "Entrance", "width": 640, "height": 480},
    {"id": "b-workshop", "label": "Workshop", "width": 640, "height": 480, "fps": 15},
    {"id": "c-printer", "label": "3D printer", "width": 640, "height": 480, "fps": 10},
    {"id": "d-dock", "label": "Loading dock", "source": "device:/dev/video7"},
    {"id": "e-garden", "label": "Garden", "enabled": False},
    {"id": "f-attic", "label": "Attic", "on_demand": True, "linger": 5},
]
LIVE = ["a-entrance", "b-workshop", "c-printer"]  # ids sort the grid: live ones first


def _tiles_ready(page) -> bool:
    frames = page.evaluate(
        "() => [...document.querySelectorAll('article.camera')]"
        ".filter(c => c.getBoundingClientRect().top < innerHeight)"  # tiles below are not fetched
        ".map(c => [c.dataset.camera, Number(c.dataset.frames || 0)])"
    )
    return all(count >= 2 for camera_id, count in frames if camera_id in LIVE)


def main() -> int:
    """Start a server with a few cameras and save the dashboard and camera page."""
    with tempfile.TemporaryDirectory() as tmp:
        server = LivecamServer(Path(tmp))
        server.start()
        try:
            seed(server, *[{"source": "pattern:", **camera} for camera in CAMERAS])
            for camera_id in LIVE:
                server.wait_for(camera_id, lambda s: s["state"] == "online", timeout=20)
            server.wait_for("d-dock", lambda s: s["state"] == "error", timeout=20)
            server.wait_for("f-attic", lambda s: s["state"] == "idle", timeout=20)
            with chromium() as browser:
                shoot(browser, server, DESKTOP, "dashboard.png", "/")
                shoot(browser, server, PHONE, "dashboard-phone.png", "/", scale=2)
                shoot(browser, server, DESKTOP, "camera.png", "/cameras/a-entrance/")
        finally:
            server.stop()
    return 0


def shoot(browser, server: LivecamServer, viewport, name: str, path: str, scale: int = 1) -> None:
    """Save one page as docs/NAME once its pictures are live."""
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="en-US")
    page = context.new_page()
    log_in(page, server)
    page.goto(server.url(path), wait_until="domcontentloaded")
    if path == "/":
        wait_until(lambda: _tiles_ready(page), timeout=20, what="live tiles")
    else:
        page.wait_for_function(PICTURE_SHOWN, arg="a-entrance")
    page.mouse.move(0, 0)
    page.screenshot(path=str(DOCS / name), full_page=path != "/")
    context.close()
    print(f"saved docs/{name}")


if __name__ == "__main__":
    sys.exit(main())
