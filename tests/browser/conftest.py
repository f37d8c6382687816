"""Browser-test fixtures: one Chromium per module, pages that fail on CSP violations, seeding."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import DESKTOP, chromium, missing_chromium
from tests.support.server import LivecamServer


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (headless); the tests fail with the fix when it is missing."""
    problem = missing_chromium()
    if problem:
        pytest.fail(problem, pytrace=False)
    with chromium() as instance:
        yield instance


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh contexts; fail the test if a page logs a CSP violation or JS error."""
    contexts: list[Any] = []
    problems: list[str] = []

    def open_page(**options: Any) -> Any:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if message.type == "error" and _is_problem(message.text)
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, f"the page reported problems: {problems}"


def _is_problem(text: str) -> bool:
    # Failed loads of a stopped stream or a 503 snapshot are expected and handled by the page;
    # script errors and Content-Security-Policy violations are not.
    return "Content Security Policy" in text or "Uncaught" in text


def seed(server: LivecamServer, *cameras: dict[str, Any]) -> None:
    """Create or update cameras in one process (the CLI costs a second per camera)."""
    code = (
        "import json\n"
        "from livecam.models import Camera\n"
        f"for spec in json.loads({json.dumps(json.dumps(list(cameras)))}):\n"
        "    Camera.objects.update_or_create(id=spec.pop('id'), defaults=spec)\n"
    )
    server.cli("shell", "-c", code)


def seed_patterns(
    server: LivecamServer, ids: list[str], label: Callable[[str], str], fps: int
) -> LivecamServer:
    """Seed moving 320x240 test-pattern cameras and wait until every one is online."""
    seed(
        server,
        *[
            {
                "id": cid,
                "label": label(cid),
                "source": "pattern:",
                "width": 320,
                "height": 240,
                "fps": fps,
            }
            for cid in ids
        ],
    )
    for cid in ids:
        server.wait_for(cid, lambda s: s["state"] == "online", timeout=20)
    return server


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivecamServer]:
    """A server of this module alone (its dashboard shows only the module's cameras)."""
    instance = LivecamServer(Path(tmp_path_factory.mktemp("browser-server")))
    instance.start()
    yield instance
    instance.stop()
