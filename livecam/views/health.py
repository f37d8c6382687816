"""Liveness and Prometheus metrics."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from livecam.access import policy
from livecam.bus import get_bus
from livecam.errors import json_error
from livecam.views.access import principal


@csrf_exempt  # GET only: a POST is answered 405, not a CSRF failure
@login_not_required
@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the server can serve; no details (it needs no authentication)."""
    ok = not get_bus().hub.closed
    return JsonResponse({"status": "ok" if ok else "stopping"}, status=200 if ok else 503)


@require_GET
async def metrics(request: HttpRequest) -> HttpResponse:
    """Return the Prometheus metrics of this process (admins, or their tokens, only)."""
    if not await policy.may_view_metrics(await principal(request)):
        return json_error(403, "metrics are for admins")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
