"""The pure decisions of notifications: quiet hours, rate limit, offline after a grace period."""

from __future__ import annotations

import datetime as dt

import pytest

from livecam.notify.rules import OfflineWatch, RateLimit, in_quiet_hours

T = dt.time


@pytest.mark.parametrize(
    ("now", "start", "end", "quiet"),
    [
        (T(23, 0), T(22, 0), T(7, 0), True),  # wraps past midnight
        (T(3, 0), T(22, 0), T(7, 0), True),
        (T(7, 0), T(22, 0), T(7, 0), False),  # the end is not quiet
        (T(12, 0), T(22, 0), T(7, 0), False),
        (T(13, 0), T(12, 0), T(14, 0), True),
        (T(14, 0), T(12, 0), T(14, 0), False),
        (T(12, 0), None, T(14, 0), False),
        (T(12, 0), T(9, 0), T(9, 0), False),  # an empty range
    ],
)
def test_quiet_hours(now, start, end, quiet):
    assert in_quiet_hours(now, start, end) is quiet


def test_rate_limit_is_per_user_and_camera():
    limit = RateLimit()
    assert limit.allow((1, "a"), 600, 0.0)
    assert not limit.allow((1, "a"), 600, 599.0)
    assert limit.allow((1, "b"), 600, 1.0)
    assert limit.allow((2, "a"), 600, 1.0)
    assert limit.allow((1, "a"), 600, 600.0)
    assert limit.allow((1, "a"), 0, 600.0)


def test_a_flapping_camera_is_not_reported():
    watch = OfflineWatch(grace=60)
    assert watch.see("c", "online", True, 0) is None
    for t in range(1, 100, 2):  # error for a second, online for a second, for 100 s
        assert watch.see("c", "error", True, t) is None
        assert watch.due(t + 0.5) == []
        assert watch.see("c", "online", True, t + 1) is None
    assert watch.next_due(200) is None


def test_offline_after_the_grace_period_and_back_once():
    watch = OfflineWatch(grace=60)
    watch.see("c", "online", True, 0)
    watch.see("c", "error", True, 10)
    watch.see("c", "error", True, 30)  # still down: the clock keeps running from 10
    assert watch.next_due(30) == 40
    assert watch.due(69) == []
    assert watch.due(70) == ["c"]
    assert watch.due(500) == []  # said once
    assert watch.see("c", "starting", True, 501) is None
    assert watch.see("c", "online", True, 502) == "back"
    assert watch.see("c", "online", True, 503) is None


def test_switching_off_is_not_going_offline():
    watch = OfflineWatch(grace=1)
    watch.see("c", "error", True, 0)
    watch.see("c", "off", False, 0.5)
    assert watch.due(10) == []
    watch.see("c", "error", False, 11)  # an error of a camera that is OFF: not a fault
    assert watch.due(20) == []
