"""The installable web app in a real Chromium: manifest, service worker, offline page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import seed
from tests.support.browser import log_in
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser


def test_manifest_is_installable_and_public(module_server: LivecamServer):
    with httpx.Client(base_url=module_server.base_url) as client:  # browsers send no cookies
        answer = client.get("/manifest.webmanifest")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/manifest+json")
        manifest = answer.json()
        assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
        sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
        assert {"192x192", "512x512"} <= sizes
        for icon in manifest["icons"]:
            png = client.get(icon["src"])
            assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert client.get("/sw.js").headers["content-type"].startswith("application/javascript")
        assert client.get("/offline/").status_code == 200
        # The admin's pages (and bookmarks) ask for /favicon.ico: it leads to the icon.
        icon = client.get("/favicon.ico", follow_redirects=True)
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert client.get("/api/cameras").status_code == 401  # nothing else became public


def test_service_worker_registers_and_serves_the_offline_page(
    module_server: LivecamServer, new_page: Any
):
    page = new_page()
    log_in(page, module_server)
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert href == "/manifest.webmanifest"
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == module_server.url("/")
    # Controlled from the next navigation on (clients.claim() makes it the current one too).
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    cached = page.evaluate(
        "caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k)"
        ".then(c => c.keys())))).then(lists => lists.flat().map(r => new URL(r.url).pathname))"
    )
    assert "/offline/" in cached
    assert not [p for p in cached if "/api/" in p or p.endswith((".mjpg", ".jpg", ".mp4"))]
    page.context.set_offline(True)
    page.goto(module_server.url("/"), wait_until="domcontentloaded")
    expect(page.locator("[data-offline]")).to_be_visible()
    page.context.set_offline(False)
    page.goto(module_server.url("/"), wait_until="domcontentloaded")
    expect(page.locator("[data-offline]")).to_have_count(0)


def test_offline_streams_snapshots_and_api_fail_rather_than_come_from_a_cache(
    module_server: LivecamServer, new_page: Any
):
    seed(
        module_server,
        {"id": "pwa-cam", "label": "PWA", "source": "pattern:", "width": 160, "height": 120},
    )
    module_server.wait_for("pwa-cam", lambda s: s["online"], timeout=15)
    page = new_page()
    log_in(page, module_server)
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    paths = ["/api/cameras", "/cameras/pwa-cam/snapshot.jpg", "/cameras/pwa-cam/stream.mjpg"]
    fetch_all = """paths => Promise.all(paths.map(p => {
        const ctl = new AbortController();
        return fetch(p, {signal: ctl.signal}).then(r => { ctl.abort(); return r.status; },
                                                   e => 'failed: ' + e.name); }))"""
    # Online, through the service worker: each answers from the server.
    assert page.evaluate(fetch_all, paths) == [200, 200, 200]
    page.context.set_offline(True)
    try:
        # Offline: none of them is answered from a cache (the service worker let them through).
        answers = page.evaluate(fetch_all, paths)
        assert answers == ["failed: TypeError"] * 3, answers
        # Only the offline page and its static files are stored.
        cached = page.evaluate(
            "caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k)"
            ".then(c => c.keys())))).then(ls => ls.flat().map(r => new URL(r.url).pathname))"
        )
        assert "/offline/" in cached
        assert all(p == "/offline/" or p.startswith("/static/") for p in cached), cached
        page.goto(module_server.url("/cameras/pwa-cam/"), wait_until="domcontentloaded")
        expect(page.locator("[data-offline]")).to_be_visible()  # a page: the offline page
    finally:
        page.context.set_offline(False)
