"""Who receives a notification: wishes, visibility, quiet hours and the rate limit."""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone

from livecam.access import policy
from livecam.notify.message import Notification
from livecam.notify.metrics import NOTIFICATIONS_SUPPRESSED
from livecam.notify.rules import RateLimit, in_quiet_hours


async def recipients(notification: Notification, limit: RateLimit) -> list[Any]:
    """Return the users to e-mail about a notification.

    Only active users with an address, who asked for this kind of news about this camera,
    may still see the camera (``access.policy``), and are neither in their quiet hours nor
    over their rate limit for the camera (motion only: offline news is already damped by the
    grace period, and "back" must follow "offline").
    """
    from livecam.notify.models import NotificationProfile, NotificationRule

    wish = {"motion": True} if notification.kind == "motion" else {"offline": True}
    rules = NotificationRule.objects.filter(
        camera_id=notification.camera_id, user__is_active=True, **wish
    ).select_related("user")
    now_local = timezone.localtime().time()
    users = []
    async for rule in rules:
        user = rule.user
        if not user.email:
            continue
        if await policy.visible_camera(policy.Principal(user), notification.camera_id) is None:
            continue
        profile = await NotificationProfile.objects.filter(user=user).afirst()
        if profile is not None and not profile.email:
            continue
        if profile is not None and in_quiet_hours(
            now_local, profile.quiet_start, profile.quiet_end
        ):
            NOTIFICATIONS_SUPPRESSED.labels("quiet_hours").inc()
            continue
        key = (user.pk, notification.camera_id)
        if notification.kind == "motion" and not limit.allow(
            key, rule.min_interval * 60, time.monotonic()
        ):
            NOTIFICATIONS_SUPPRESSED.labels("rate_limit").inc()
            continue
        users.append(user)
    return users
