"""The notifications page: what each user is told about which camera, and when not."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from livecam.access import policy
from livecam.notify import email
from livecam.notify.forms import NotificationsForm
from livecam.notify.models import NotificationProfile, NotificationRule
from livecam.views.access import principal


def _initial(profile: NotificationProfile | None, rules: list[NotificationRule]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": profile.email if profile else True,
        "quiet_start": profile.quiet_start if profile else None,
        "quiet_end": profile.quiet_end if profile else None,
    }
    for rule in rules:
        data[f"motion-{rule.camera_id}"] = rule.motion
        data[f"offline-{rule.camera_id}"] = rule.offline
        data[f"interval-{rule.camera_id}"] = rule.min_interval
    return data


def _interval(value: float | None) -> float:
    return 10.0 if value is None else value


def _save(user: Any, form: NotificationsForm) -> None:
    from django.db import transaction

    data = form.cleaned_data
    with transaction.atomic():
        NotificationProfile.objects.update_or_create(
            user=user,
            defaults={
                "email": data["email"],
                "quiet_start": data["quiet_start"],
                "quiet_end": data["quiet_end"],
            },
        )
        NotificationRule.objects.filter(user=user).delete()
        NotificationRule.objects.bulk_create(
            NotificationRule(
                user=user,
                camera_id=cid,
                motion=data[f"motion-{cid}"],
                offline=data[f"offline-{cid}"],
                min_interval=_interval(data[f"interval-{cid}"]),
            )
            for cid, _title in form.cameras
            if data[f"motion-{cid}"] or data[f"offline-{cid}"]
        )


@require_http_methods(["GET", "POST"])
async def notifications(request: HttpRequest) -> HttpResponse:
    """Show and save the user's notification wishes (only cameras the user may see)."""
    who = await principal(request)
    if who is None or who.token is not None:
        raise Http404("not found")
    user = who.user
    cameras = [(c.id, c.title) for c in await policy.visible_cameras(who)]
    if request.method == "POST":
        form = NotificationsForm(request.POST, cameras=cameras)
        if form.is_valid():
            await sync_to_async(_save)(user, form)
            return HttpResponseRedirect(reverse("livecam:notifications") + "?saved=1", status=303)
    else:
        profile = await NotificationProfile.objects.filter(user=user).afirst()
        rules = [r async for r in NotificationRule.objects.filter(user=user)]
        form = NotificationsForm(initial=_initial(profile, rules), cameras=cameras)
    context = {
        "form": form,
        "email_available": email.enabled(),
        "address": user.email,
        "saved": request.GET.get("saved") == "1",
    }
    response: HttpResponse = await sync_to_async(render)(
        request, "livecam/notifications.html", context
    )
    return response
