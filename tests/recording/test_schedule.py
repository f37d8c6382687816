"""The weekly schedule syntax: parsing, refusals with reasons, and which moments it covers."""

from __future__ import annotations

import datetime as dt

import pytest

from livecam.recording import schedule

# 2026-11-30 is a Monday; times are naive local times, so no time zone is involved.
MON = dt.datetime(2026, 11, 30)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return MON + dt.timedelta(days=day, hours=hour, minutes=minute)


def test_an_overnight_weekday_window_runs_into_the_next_morning():
    windows = schedule.parse("mon-fri 18:00-08:00")
    assert schedule.active(windows, at(0, 18))  # Monday 18:00
    assert not schedule.active(windows, at(0, 17, 59))
    assert schedule.active(windows, at(1, 7, 59))  # Tuesday early: Monday's night
    assert not schedule.active(windows, at(1, 8))
    assert schedule.active(windows, at(5, 7))  # Saturday morning: Friday's night
    assert not schedule.active(windows, at(5, 18))  # Saturday evening: not listed
    assert not schedule.active(windows, at(0, 7))  # Monday morning: Sunday was not listed


def test_lists_wrapping_ranges_daily_and_whole_days():
    weekend = schedule.parse("sat,sun 00:00-24:00")
    assert schedule.active(weekend, at(6, 23, 59)) and not schedule.active(weekend, at(0, 0))
    wrap = schedule.parse("fri-mon 09:00-10:00")
    assert [schedule.active(wrap, at(day, 9, 30)) for day in range(7)] == [
        True, False, False, False, True, True, True,
    ]  # fmt: skip
    assert schedule.active(schedule.parse("daily 12:00-13:00; * 20:00-21:00"), at(2, 20, 30))
    assert schedule.active(schedule.parse(""), at(3, 3))  # empty: always


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("weekdays 18:00-08:00", "not a day"),
        ("mon 25:00-08:00", "not a time of day"),
        ("mon 18:60-19:00", "not a time of day"),
        ("mon-fri", "DAYS HH:MM-HH:MM"),
        ("mon 18:00", "DAYS HH:MM-HH:MM"),
        ("mon 1800-0800", "DAYS HH:MM-HH:MM"),
        ("mon 00:00-01:00;" * 30, "at most 200"),
    ],
)
def test_bad_schedules_are_refused_with_a_reason(text: str, reason: str):
    with pytest.raises(ValueError, match=reason):
        schedule.parse(text)
