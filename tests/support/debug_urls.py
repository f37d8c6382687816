"""The site's URLs plus runtime and failure probes, for the test servers (never shipped)."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import path

from livecam.bus import get_bus
from livecam.errors.api import LivecamAPI
from livecam.serving.admission import CAPS
from livecam.site.urls import handler400, handler403, handler404, handler500
from livecam.site.urls import urlpatterns as site_urlpatterns

BOOM = "livecam-test-boom"
"""The message of the exception the failure probes raise (tests find it in the log)."""


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@login_not_required
async def runtime(request: HttpRequest) -> JsonResponse:
    """Return what leaks would show: tasks, threads, fds, RSS, viewers, reservations."""
    if request.GET.get("gc"):
        gc.collect()
    hub = get_bus().hub
    return JsonResponse(
        {
            "tasks": len(asyncio.all_tasks()),
            "threads": threading.active_count(),
            "fds": len(os.listdir("/proc/self/fd")),
            "rss_kib": _rss_kib(),
            "viewers": hub.total_viewers(),
            "pending": CAPS.pending(),
        }
    )


@login_not_required
async def boom(request: HttpRequest) -> JsonResponse:
    """Fail as a bug would (a page at /_test/boom, a machine path at /_test/boom.json)."""
    raise RuntimeError(f"{BOOM} {request.path} in {__file__}")


@login_not_required
def log_probe(request: HttpRequest) -> JsonResponse:
    """Log ``?text=`` on the logger ``?logger=`` three ways: as an argument, in the message, and
    in a traceback (so tests see what every configured handler writes)."""
    logger = logging.getLogger(request.GET["logger"])
    text = request.GET["text"]
    logger.warning("probe (argument): %s", text)
    logger.warning(f"probe (message): {text}")
    try:
        raise ValueError(f"probe (traceback): {text}")
    except ValueError:
        logger.exception("probe failed")
    return JsonResponse({"logged": True})


# An API on livecam's error path, with one operation that fails like a bug.
boom_api = LivecamAPI(urls_namespace="livecam-test-api", docs_url=None, openapi_url=None)


@boom_api.get("/boom")
def api_boom(request: HttpRequest) -> dict[str, str]:
    """Fail inside a ninja operation."""
    raise RuntimeError(f"{BOOM} {request.path} in {__file__}")


urlpatterns = [
    path("_test/runtime", runtime),
    path("_test/log", log_probe),
    path("_test/boom", boom),
    path("_test/boom.json", boom),
    path("api/_test/", boom_api.urls),
    *site_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
