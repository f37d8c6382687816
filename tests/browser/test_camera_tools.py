"""Picture controls and privacy masks on the camera page, in a real Chromium."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import simplejpeg
from playwright.sync_api import expect

from tests.browser.conftest import seed
from tests.support.browser import log_in, wait_until
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(module_server: LivecamServer) -> LivecamServer:
    """One test-pattern camera."""
    seed(module_server, {"id": "yard", "source": "pattern:", "width": 320, "height": 240})
    module_server.wait_for("yard", lambda s: s["online"], timeout=20)
    return module_server


def _mean(server: LivecamServer) -> float:
    with server.api() as client:
        jpeg = client.get("/cameras/yard/snapshot.jpg").content
    return float(simplejpeg.decode_jpeg(jpeg, colorspace="GRAY").mean())


def _open(server: LivecamServer, new_page: Any) -> Any:
    page = new_page()
    log_in(page, server)
    page.goto(server.url("/cameras/yard/"), wait_until="domcontentloaded")
    return page


def test_a_brightness_slider_changes_the_picture(server: LivecamServer, new_page: Any):
    page = _open(server, new_page)
    before = _mean(server)
    slider = page.locator("#control-brightness")
    expect(slider).to_have_attribute("min", "-100")
    slider.fill("-90")
    expect(page.locator("[data-controls-status]")).to_have_text("Applied")
    wait_until(lambda: _mean(server) < before - 40, what="a darker picture")
    slider.fill("0")
    expect(page.locator("[data-controls-status]")).to_have_text("Applied")
    wait_until(lambda: abs(_mean(server) - before) < 15, what="the picture back")


def test_a_mask_drawn_over_the_picture_is_saved_and_black(server: LivecamServer, new_page: Any):
    page = _open(server, new_page)
    expect(page.locator("#camera-masks")).to_have_attribute("data-ready", "true")
    page.locator("[data-masks-draw]").click()
    # Centred: the sticky top bar must not cover the corner where the drag starts.
    page.locator("[data-mask-layer]").evaluate("layer => layer.scrollIntoView({block: 'center'})")
    layer = page.locator("[data-mask-layer]").bounding_box()
    assert layer is not None and layer["width"] > 100
    page.mouse.move(layer["x"] + 1, layer["y"] + 1)
    page.mouse.down()
    page.mouse.move(layer["x"] + layer["width"] / 2, layer["y"] + layer["height"] / 2, steps=5)
    page.mouse.up()
    page.locator("[data-masks-save]").click()
    expect(page.locator("[data-masks-status]")).to_have_text("Masks saved.")
    with server.api() as client:
        (rect,) = client.get("/api/cameras/yard/masks").json()["masks"]
    assert rect["x"] < 2 and rect["y"] < 2
    assert abs(rect["w"] - 50) < 3 and abs(rect["h"] - 50) < 3

    def masked() -> bool:
        with server.api() as client:
            image = simplejpeg.decode_jpeg(
                client.get("/cameras/yard/snapshot.jpg").content, colorspace="GRAY"
            )
        return float(np.asarray(image)[10:100, 10:140].mean()) < 4

    wait_until(masked, what="a black top-left quarter")
    page.locator("[data-masks-undo]").click()
    page.locator("[data-masks-save]").click()
    expect(page.locator("[data-masks-count]")).to_have_text("0 mask(s)")
