"""Take docs/timeline.png: a camera's timeline with recorded ranges, a gap and motion events.

Part of ``make screenshots``; ``python -m tools.screenshots --only timeline`` takes it alone.
It needs its own server: 2-second segments, so a minute of recording shows several.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from tests.browser.conftest import seed
from tests.support.browser import DESKTOP, log_in, wait_until
from tests.support.server import LivecamServer

DOCS = Path(__file__).resolve().parents[1] / "docs"
CAMERA = "a-entrance"


def _finished(server: LivecamServer) -> list[dict[str, Any]]:
    with server.api() as api:
        body = api.get(f"/api/cameras/{CAMERA}/timeline").json()
    return [s for s in body["segments"] if s.get("url")]


def _record(server: LivecamServer, on: bool) -> None:
    with server.api() as api:
        api.patch(f"/api/cameras/{CAMERA}/motion", json={"continuous": on}).raise_for_status()


def shoot_timeline(browser: Any) -> None:
    """Record about 40 s with a pause in it, then save the media page's timeline section."""
    with tempfile.TemporaryDirectory() as tmp:
        server = LivecamServer(
            Path(tmp), env={"LIVECAM_SEGMENT_SECONDS": "2", "LIVECAM_MEDIA_MIN_FREE_GB": "0"}
        )
        server.start()
        try:
            seed(
                server,
                {
                    "id": CAMERA,
                    "label": "Entrance",
                    "source": "pattern:",
                    "width": 640,
                    "height": 480,
                    "fps": 15,
                },
            )
            with server.api() as api:
                api.patch(f"/api/cameras/{CAMERA}/motion", json={"motion": True}).raise_for_status()
            _record(server, True)
            wait_until(lambda: len(_finished(server)) >= 8, timeout=60, what="segments")
            _record(server, False)
            time.sleep(8)  # the gap the picture shows: nothing to wait for but time itself
            _record(server, True)
            count = len(_finished(server))
            wait_until(lambda: len(_finished(server)) >= count + 6, timeout=60, what="segments")
            context = browser.new_context(viewport=DESKTOP, locale="en-US")
            page = context.new_page()
            log_in(page, server)
            page.goto(server.url(f"/cameras/{CAMERA}/media"), wait_until="domcontentloaded")
            page.wait_for_function(
                "() => Number(document.getElementById('timeline').dataset.loaded) > 0"
            )
            bar = page.locator(".tl-bar")
            bar.focus()
            for _ in range(3):  # 1 hour → 15 → 5 → 1 minute
                page.keyboard.press("+")
            segment = _finished(server)[3]
            start = float(bar.get_attribute("data-start"))
            end = float(bar.get_attribute("data-end"))
            box = bar.bounding_box()
            x = box["x"] + (segment["start"] + 0.5 - start) / (end - start) * box["width"]
            page.mouse.click(x, box["y"] + box["height"] / 2)
            page.wait_for_function("() => window.livecamTimeline.firstPictureMs.length > 0")
            page.wait_for_timeout(1500)  # let it play a little: the playhead moves on
            page.keyboard.press(" ")
            page.mouse.move(0, 0)
            page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
            # The page from its top with a clip: the sticky header stays above the section.
            section = page.locator("#timeline").bounding_box()
            page.screenshot(path=str(DOCS / "timeline.png"), full_page=True, clip=section)
            print("saved docs/timeline.png")
            context.close()
        finally:
            server.stop()
