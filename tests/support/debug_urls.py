"""The site's URLs plus a runtime probe, for the real servers the tests start (never shipped)."""

from __future__ import annotations

import asyncio
import gc
import os
import threading

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import path

from livecam.admission import CAPS
from livecam.bus import get_bus
from livecam.site.urls import handler404, handler500
from livecam.site.urls import urlpatterns as site_urlpatterns


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


urlpatterns = [path("_test/runtime", runtime), *site_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
