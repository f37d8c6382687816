"""Dates and capture error reasons as pages show them: formats, zones, translation, hiding.

Fixed datetimes and explicit time zones only: no verdict depends on today's date or the
machine's zone.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from livecam.dates import absolute, relative
from livecam.reasons import present

MOMENT = dt.datetime(2026, 12, 3, 22, 57, 49, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "zone", "shape"),
    [
        ("en", "UTC", r"3 Dec 2026, 22:57:49 UTC"),
        ("en", "Asia/Tokyo", r"4 Dec 2026, 07:57:49 JST"),
        ("ja", "UTC", r"2026年12月3日 22:57:49 UTC"),
        ("ja", "Asia/Tokyo", r"2026年12月4日 07:57:49 JST"),
    ],
)
def test_one_date_format_per_language_with_the_zone(language: str, zone: str, shape: str):
    with translation.override(language), timezone.override(zone):
        assert re.fullmatch(shape, absolute(MOMENT)), absolute(MOMENT)


def test_every_page_date_uses_the_same_format():
    template = Template("{% load livecam_ui %}{{ moment|when }}")
    with translation.override("en"), timezone.override("UTC"):
        html = template.render(Context({"moment": MOMENT}))
    assert '<time datetime="2026-12-03T22:57:49+00:00">3 Dec 2026, 22:57:49 UTC</time>' in html


@pytest.mark.parametrize(
    ("language", "offset", "text"),
    [
        ("en", dt.timedelta(seconds=-20), "just now"),
        ("en", dt.timedelta(minutes=-3), "3\xa0minutes ago"),
        ("en", dt.timedelta(days=2, hours=3), "in 2\xa0days"),
        ("en", dt.timedelta(days=-90), ""),  # the date says more than "3 months ago"
        ("ja", dt.timedelta(minutes=-3), "3分前"),
        ("ja", dt.timedelta(days=2, hours=3), "2日後"),
    ],
)
def test_relative_times_where_they_help(language: str, offset: dt.timedelta, text: str):
    with translation.override(language):
        assert relative(MOMENT + offset, MOMENT) == text


@pytest.mark.parametrize(
    ("error", "admin", "language", "shown"),
    [
        (
            "cannot reach http://10.0.0.5/cam: timed out",
            True,
            "en",
            "cannot reach http://10.0.0.5/cam: timed out",
        ),
        (
            "cannot reach http://10.0.0.5/cam: timed out",
            False,
            "en",
            "cannot reach the source: timed out",
        ),
        (
            "cannot reach http://10.0.0.5/cam: timed out",
            False,
            "ja",
            "ソース に接続できません: タイムアウト",
        ),
        (
            "file not found: /srv/clips/a.mp4",
            True,
            "ja",
            "ファイルが見つかりません: /srv/clips/a.mp4",
        ),
        (
            "no camera at /dev/video7 (unplugged?)",
            False,
            "en",
            "no camera at the source (unplugged?)",
        ),
        # An unknown reason is left in English but still loses its addresses.
        (
            "source not responding: rtsp://cam.local/1 hangs",
            False,
            "en",
            "source not responding: the source hangs",
        ),
    ],
)
def test_capture_reasons_translated_and_addresses_for_admins_only(
    error: str, admin: bool, language: str, shown: str
):
    with translation.override(language):
        assert present(error, see_sources=admin) == shown


def test_recording_words_are_translated():
    template = Template("{% load livecam_ui %}{{ a|recording_word }} {{ b|recording_word }}")
    with translation.override("ja"):
        assert template.render(Context({"a": "manual", "b": "done"})) == "手動 完了"


def test_the_no_signal_picture_shows_no_address():
    from livecam import placeholder

    with translation.override("ja"):
        _title, jpeg = placeholder.for_state("error", "no camera at /dev/video7", 640, 480)
    same = placeholder.render("NO SIGNAL", "no camera at the source", 640, 480)
    assert jpeg == same  # drawn in English, with "the source" instead of the device path


@pytest.mark.parametrize(
    ("template", "heading"),
    [("403.html", "この操作は許可されていません"), ("500.html", "サーバーで問題が起きました")],
)
def test_403_and_500_pages_are_themed_and_translated(template: str, heading: str):
    from django.template.loader import render_to_string

    with translation.override("ja"):
        html = render_to_string(template)  # Django renders 500.html without a request
    assert '<html lang="ja">' in html and heading in html
    assert 'class="topbar"' in html and 'href="/"' in html and "カメラ一覧に戻る" in html
