"""The installable web app: manifest, service worker, icon and offline page (no login needed)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

THEME = "#1f6feb"


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Send browsers that ask for /favicon.ico (the admin's pages, bookmarks) to the SVG icon."""
    return HttpResponsePermanentRedirect(static("livecam/favicon.svg"))


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """Return the web app manifest (browsers fetch it without cookies)."""
    start = reverse("livecam:dashboard")
    data = {
        "name": "livecam",
        "short_name": "livecam",
        "description": "Live cameras",
        "id": start,
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "any",
        "background_color": "#0e1014",
        "theme_color": THEME,
        "icons": [
            {"src": static("livecam/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("livecam/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("livecam/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Return the service worker script, served at the app's root so its scope is the app."""
    precache = [
        reverse("livecam:offline"),
        static("livecam/livecam.css"),
        static("livecam/favicon.svg"),
        static("livecam/icons/icon-192.png"),
    ]
    # Serialised here: URLs only, written into a script file (not HTML), as JSON literals.
    context = {
        "offline_json": json.dumps(reverse("livecam:offline")),
        "precache_json": json.dumps(precache),
    }
    response = render(
        request, "livecam/sw.js", context, content_type="application/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"  # a new version is picked up on the next visit
    return response


@login_not_required
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Return the page the service worker shows when the server cannot be reached."""
    return render(request, "livecam/offline.html")
