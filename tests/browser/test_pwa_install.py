"""Chromium's own installability verdict on livecam (a profile on disk, as a real browser has)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import ARGS, CHROMIUM, log_in, missing_chromium
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser


def test_chromium_finds_the_app_installable(server: LivecamServer, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    problem = missing_chromium()
    if problem:
        pytest.fail(problem, pytrace=False)
    # Not a new_context(): those are incognito, where Chromium never offers to install.
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True
        )
        try:
            page = context.new_page()
            log_in(page, server)
            page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
            page.reload(wait_until="domcontentloaded")
            page.wait_for_function("navigator.serviceWorker.controller !== null")
            cdp = context.new_cdp_session(page)
            found = cdp.send("Page.getAppManifest")
            assert found["url"] == server.url("/manifest.webmanifest")
            assert found["errors"] == [], found["errors"]
            manifest = found["manifest"]  # as Chromium parsed it
            assert manifest["display"] == "kStandalone"
            assert manifest["startUrl"] == manifest["scope"] == server.url("/")
            assert {(i["sizes"], i["type"]) for i in manifest["icons"]} >= {
                ("192x192", "image/png"),
                ("512x512", "image/png"),
            }
            # What decides whether Chromium offers "Install": no installability error at all.
            verdict = cdp.send("Page.getInstallabilityErrors")
            assert verdict["installabilityErrors"] == [], verdict
            # Every icon loads in the page as a picture of its stated size.
            sizes = page.evaluate(
                """() => Promise.all([...document.querySelectorAll('link[rel=manifest]')].map(
                     l => fetch(l.href).then(r => r.json()))).then(ms => Promise.all(
                     ms[0].icons.map(i => new Promise((ok, bad) => { const img = new Image();
                       img.onload = () => ok(img.naturalWidth + 'x' + img.naturalHeight);
                       img.onerror = () => bad(new Error(i.src)); img.src = i.src; }))))"""
            )
            assert sorted(sizes) == ["192x192", "512x512", "512x512"]
        finally:
            context.close()
