"""The API documentation page (/api/docs) renders in Chromium under the strict CSP, no CDN."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in
from tests.support.server import LivecamServer

pytestmark = pytest.mark.browser


def test_api_docs_list_the_operations(module_server: LivecamServer, new_page: Any):
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, module_server)
    response = page.goto(module_server.url("/api/docs"), wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    paths = operations.all_inner_texts()
    assert any(path.replace("\u200b", "") == "/api/cameras" for path in paths), paths
    assert len(paths) >= 5
    foreign = [url for url in requested if not url.startswith(module_server.base_url)]
    assert not foreign, foreign  # nothing from a CDN
