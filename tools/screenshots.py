"""Take the README's screenshots (docs/*.png) of a real server in Debian's Chromium.

Run ``make screenshots`` (or ``python -m tools.screenshots``); it needs Chromium like the
browser tests do. ``--only management``, ``--only camera-h264`` or ``--only timeline`` takes
just those shots.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import seed
from tests.support.browser import DESKTOP, PHONE, PICTURE_SHOWN, chromium, log_in, wait_until
from tests.support.server import LivecamServer
from tools.screenshot_timeline import shoot_timeline

DOCS = Path(__file__).resolve().parents[1] / "docs"
CAMERAS = [
    {"id": "a-entrance", "label": "Entrance", "width": 640, "height": 480},
    {"id": "b-workshop", "label": "Workshop", "width": 640, "height": 480, "fps": 15},
    {"id": "c-printer", "label": "3D printer", "width": 640, "height": 480, "fps": 10},
    {"id": "d-dock", "label": "Loading dock", "source": "device:/dev/video7"},
    {"id": "e-garden", "label": "Garden", "enabled": False},
    {"id": "f-attic", "label": "Attic", "on_demand": True, "linger": 5},
]
LIVE = ["a-entrance", "b-workshop", "c-printer"]  # the grid sorts by label
ONLY = ("management", "camera-h264", "timeline")
# The camera page's H.264 player is settled: it plays, it has presented a second of frames, and
# the MJPEG <img> it took over from is closed (so the picture is the <video>, not the handover).
H264_PLAYING = """id => {
  const player = window.livecamPlayer;
  const video = document.querySelector('#camera-' + id + ' video');
  const img = document.querySelector('#camera-' + id + ' .view img');
  return Boolean(player) && player.mode === 'h264' && player.framesPresented > 30
    && !video.hidden && video.readyState >= 2 && !video.paused && !img.hasAttribute('src');
}"""
# Either that, or the player fell back to MJPEG (a Chromium without H.264) and the <img> shows.
PAGE_PICTURE = f"""id => ({H264_PLAYING})(id) || (window.livecamPlayer
  && window.livecamPlayer.mode === 'mjpeg' && ({PICTURE_SHOWN})(id))"""


def _tiles_ready(page) -> bool:
    frames = page.evaluate(
        "() => [...document.querySelectorAll('article.camera')]"
        ".filter(c => c.getBoundingClientRect().top < innerHeight)"  # tiles below are not fetched
        ".map(c => [c.dataset.camera, Number(c.dataset.frames || 0)])"
    )
    return all(count >= 2 for camera_id, count in frames if camera_id in LIVE)


def main() -> int:
    """Start a server with a few cameras and save the pages (``--only NAME``: some of them)."""
    only = ""
    if sys.argv[1:]:
        if len(sys.argv) != 3 or sys.argv[1] != "--only" or sys.argv[2] not in ONLY:
            print(f"usage: python -m tools.screenshots [--only {'|'.join(ONLY)}]", file=sys.stderr)
            return 2
        only = sys.argv[2]
    if only == "timeline":  # the timeline shot records on a server of its own
        with chromium() as browser:
            shoot_timeline(browser)
        return 0
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
                if only in ("", "management"):
                    shoot_management(browser, server)
                if only in ("", "camera-h264"):
                    shoot_h264(browser, server)
                if only:
                    return 0
                shoot(browser, server, DESKTOP, "dashboard.png", "/")
                shoot(browser, server, PHONE, "dashboard-phone.png", "/", scale=2)
                shoot(browser, server, DESKTOP, "camera.png", "/cameras/a-entrance/")
                shoot_timeline(browser)
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
        page.wait_for_function(PAGE_PICTURE, arg="a-entrance", timeout=20_000)
    page.mouse.move(0, 0)
    page.screenshot(path=str(DOCS / name), full_page=path != "/")
    context.close()
    print(f"saved docs/{name}")


def shoot_h264(browser, server: LivecamServer) -> None:
    """Save the camera page's player playing H.264, with its mode indicator and picker."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    log_in(page, server)
    page.goto(server.url("/cameras/a-entrance/"), wait_until="domcontentloaded")
    page.wait_for_function(H264_PLAYING, arg="a-entrance", timeout=20_000)
    page.locator("[data-video-mode]").filter(has_text="H.264").wait_for()
    page.mouse.move(0, 0)
    card = page.locator("#camera-a-entrance").bounding_box()
    bottom = max(
        box["y"] + box["height"]
        for box in (
            page.locator("[data-player]").bounding_box(),
            page.locator("[data-video-choice]").bounding_box(),
        )
    )
    margin = 12
    page.screenshot(  # the picture, its name and switch, and the Video picker below it
        path=str(DOCS / "camera-h264.png"),
        full_page=True,  # the picker sits below the 900 px viewport
        clip={
            "x": card["x"] - margin,
            "y": card["y"] - margin,
            "width": card["width"] + 2 * margin,
            "height": bottom - card["y"] + 2 * margin,
        },
    )
    print("saved docs/camera-h264.png")
    context.close()


def shoot_management(browser, server: LivecamServer) -> None:
    """Save the add-camera page after a Test, and a camera page with controls and a mask."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    log_in(page, server)
    page.goto(server.url("/manage/cameras/new/"), wait_until="domcontentloaded")
    page.locator("#id_id").fill("porch")
    page.locator("#id_label").fill("Porch")
    page.get_by_label("Test pattern").check()
    page.get_by_role("button", name="Test").click()
    page.locator("[data-probe-preview]:not([hidden])").wait_for(timeout=20_000)
    page.wait_for_function("document.querySelector('[data-probe-preview]').complete")
    page.screenshot(path=str(DOCS / "camera-add.png"), full_page=True)
    print("saved docs/camera-add.png")
    with server.api() as client:
        controls = client.get("/api/cameras/a-entrance/controls").json()
        contrast = next(c["value"] for c in controls if c["name"] == "contrast")
        client.patch("/api/cameras/a-entrance/controls", json={"contrast": 130})
        client.put(
            "/api/cameras/a-entrance/masks",
            json={"masks": [{"x": 62, "y": 8, "w": 30, "h": 22}]},
        )
    page.goto(server.url("/cameras/a-entrance/"), wait_until="domcontentloaded")
    page.wait_for_function(PAGE_PICTURE, arg="a-entrance", timeout=20_000)
    page.locator("#camera-controls[data-ready]").wait_for()
    page.locator("#camera-masks[data-ready]").wait_for()
    page.mouse.move(0, 0)
    page.screenshot(path=str(DOCS / "camera-controls.png"), full_page=True)
    print("saved docs/camera-controls.png")
    context.close()
    with server.api() as client:  # the other shots show the camera as it was
        client.patch("/api/cameras/a-entrance/controls", json={"contrast": contrast})
        client.put("/api/cameras/a-entrance/masks", json={"masks": []})


if __name__ == "__main__":
    sys.exit(main())
