"""The media page's timeline in Chromium over a real server recording real segments.

The server records one pattern camera continuously into 2-second segments; every verdict
compares the page with the server's own timeline API or with frames PyAV decodes from the
same segment files, never with a clock, a date or a time zone.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import seed
from tests.support.browser import PHONE, log_in, wait_until
from tests.support.server import LivecamServer

CAMERA = "yard"
FPS = 10
GOP_S = 1.0  # the camera's keyframe interval: a seek lands within one GOP
SEGMENT_S = 2
STATS_JS = "window.livecamTimeline"
STATS = f"() => {STATS_JS}"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivecamServer]:
    """A server recording one camera continuously, with at least eight finished segments."""
    server = LivecamServer(
        Path(tmp_path_factory.mktemp("timeline")),
        env={"LIVECAM_SEGMENT_SECONDS": str(SEGMENT_S), "LIVECAM_MEDIA_MIN_FREE_GB": "0"},
    )
    server.start()
    try:
        seed(
            server,
            {
                "id": CAMERA,
                "label": "Yard",
                "source": "pattern:",
                "width": 320,
                "height": 240,
                "fps": FPS,
                "keyframe_interval": GOP_S,
            },
        )
        server.cli(
            "shell",
            "-c",
            "from livecam.motion.models import MotionSettings as M; "
            f"M.objects.update_or_create(camera_id='{CAMERA}', defaults={{'continuous': True}})",
        )
        wait_until(lambda: len(_finished(server)) >= 8, timeout=60, what="eight finished segments")
        yield server
    finally:
        server.stop()


def _timeline(server: LivecamServer, start: float, end: float) -> dict[str, Any]:
    with server.api() as api:
        response = api.get(f"/api/cameras/{CAMERA}/timeline", params={"start": start, "end": end})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _finished(server: LivecamServer) -> list[dict[str, Any]]:
    now = time.time()  # only to ask for "everything lately"; no verdict depends on it
    segments = _timeline(server, now - 3600, now + 3600)["segments"]
    return [s for s in segments if s.get("url") and not s.get("writing")]


def _open(new_page: Any, server: LivecamServer, **options: Any) -> Any:
    page = new_page(**options)
    log_in(page, server)
    page.goto(server.url(f"/cameras/{CAMERA}/media"), wait_until="domcontentloaded")
    page.wait_for_function("() => Number(document.getElementById('timeline').dataset.loaded) > 0")
    return page


def _window(page: Any) -> tuple[float, float]:
    bar = page.locator(".tl-bar")
    return float(bar.get_attribute("data-start")), float(bar.get_attribute("data-end"))


def _x(page: Any, moment: float) -> tuple[float, float]:
    """Where on the screen the bar shows this moment (x, y)."""
    start, end = _window(page)
    box = page.locator(".tl-bar").bounding_box()
    assert start <= moment <= end, "the moment is outside the bar's window"
    return box["x"] + (moment - start) / (end - start) * box["width"], box["y"] + box["height"] / 2


def _zoom_to_five_minutes(page: Any) -> None:
    page.locator(".tl-bar").focus()
    for _ in range(2):  # 1 hour → 15 minutes → 5 minutes
        before = _window(page)
        page.keyboard.press("+")
        wait_until(lambda before=before: _window(page) != before, what="the bar to zoom")
    start, end = _window(page)
    assert end - start == pytest.approx(300)


def _frames(server: LivecamServer, url: str) -> list[tuple[float, numpy.ndarray]]:
    """The segment's pictures decoded by PyAV (FFmpeg): (seconds from its start, RGB)."""
    with server.api() as api:
        data = api.get(url).content
    out = []
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        first = None
        for frame in container.decode(stream):
            assert frame.pts is not None and stream.time_base is not None
            seconds = float(frame.pts * stream.time_base)
            first = seconds if first is None else first
            out.append((seconds - first, frame.to_ndarray(format="rgb24").astype(numpy.int16)))
    return out


def _shown_picture(page: Any) -> numpy.ndarray:
    pixels = page.evaluate(
        """() => {
          const video = document.querySelector('video.tl-video:not(.tl-hidden)');
          const canvas = document.createElement('canvas');
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          const context = canvas.getContext('2d');
          context.drawImage(video, 0, 0);
          return [canvas.width, canvas.height,
                  Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data)];
        }"""
    )
    width, height, rgba = pixels
    return numpy.array(rgba, dtype=numpy.int16).reshape(height, width, 4)[:, :, :3]


def test_the_bar_draws_the_recorded_ranges_of_the_api(new_page: Any, recording: LivecamServer):
    page = _open(new_page, recording)
    start, end = _window(page)
    ranges = _timeline(recording, start, end)["ranges"]
    assert ranges, "the server recorded nothing"
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('.tl-layers .tl-range')]"
        ".map(n => [parseFloat(n.style.left), parseFloat(n.style.width)])"
    )
    expected = []
    for item in ranges:
        left = max(0.0, (item["start"] - start) / (end - start) * 100)
        right = min(100.0, (item["end"] - start) / (end - start) * 100)
        expected.append((left, right - left))
    assert len(drawn) == len(expected)
    for (left, width), (want_left, want_width) in zip(drawn, expected, strict=True):
        assert left == pytest.approx(want_left, abs=0.1)  # newer data may have grown the last one
        assert width == pytest.approx(want_width, abs=0.5)


def test_clicking_a_moment_plays_from_it(new_page: Any, recording: LivecamServer):
    page = _open(new_page, recording)
    _zoom_to_five_minutes(page)
    segment = _finished(recording)[-2]
    moment = segment["start"] + (segment["end"] - segment["start"]) * 0.6
    clicked_at = time.monotonic()
    page.mouse.click(*_x(page, moment))
    page.wait_for_function(f"() => {STATS_JS}.firstPictureMs.length > 0")
    page.keyboard.press(" ")  # the bar has the focus: Space pauses
    page.wait_for_function(f"() => {STATS_JS}.playing === false")
    stats = page.evaluate(STATS)
    played_for = time.monotonic() - clicked_at
    per_pixel = 300 / page.locator(".tl-bar").bounding_box()["width"]
    assert stats["lastSeek"] == pytest.approx(moment, abs=per_pixel)
    # The picture shown is the one of the claimed moment: the same frame PyAV decodes there.
    shown = stats["segment"]
    assert shown, "nothing is playing"
    offsets = {s["url"]: s["start"] for s in _finished(recording)}
    frames = _frames(recording, shown)
    picture = _shown_picture(page)
    errors = [float(numpy.abs(rgb - picture).mean()) for _, rgb in frames]
    best = int(numpy.argmin(errors))
    picture_time = offsets[shown] + frames[best][0]
    assert abs(picture_time - stats["time"]) <= 2.5 / FPS
    # And that moment is where the click asked for (a seek lands within a GOP), plus the
    # little the video played before the pause.
    assert -GOP_S <= picture_time - stats["lastSeek"] <= GOP_S + played_for
    print(f"first picture {stats['firstPictureMs'][0]} ms after the click")


def test_playback_crosses_segment_boundaries_without_a_stall(
    new_page: Any, recording: LivecamServer
):
    page = _open(new_page, recording)
    _zoom_to_five_minutes(page)
    first, second = _finished(recording)[-3:-1]
    page.mouse.click(*_x(page, first["end"] - 0.5))
    page.wait_for_function(
        f"end => {STATS_JS}.crossings >= 1 && {STATS_JS}.time > end + 0.5", arg=first["end"]
    )
    stats = page.evaluate(STATS)
    assert stats["segment"] == second["url"] or stats["time"] > second["end"]
    gaps = stats["boundaryGapMs"]
    assert gaps, "no picture was measured across the boundary"
    # Between two pictures across the boundary: about one frame interval (117 ms on a quiet
    # machine, see docs/timeline.md), not a load. The bound leaves room for a busy machine.
    assert max(gaps) < 2.5 * 1000 / FPS, gaps
    print(f"gap between pictures across a boundary: {gaps} ms (frame interval {1000 / FPS} ms)")


def test_keys_zoom_step_and_pause(new_page: Any, recording: LivecamServer):
    page = _open(new_page, recording)
    bar = page.locator(".tl-bar")
    start, end = _window(page)
    bar.focus()
    page.keyboard.press("-")
    wait_until(lambda: _window(page) != (start, end), what="zoom out")
    wider = _window(page)
    assert wider[1] - wider[0] == pytest.approx(3 * (end - start))
    page.keyboard.press("+")
    page.keyboard.press("+")
    wait_until(lambda: _window(page)[1] - _window(page)[0] == pytest.approx(900), what="zoom in")
    page.keyboard.press("PageUp")
    wait_until(lambda: _window(page)[1] < wider[1] - 400, what="pan earlier")
    page.keyboard.press("PageDown")
    segment = _finished(recording)[-1]  # 10 s back is still recorded: 8 segments of 2 s before
    page.mouse.click(*_x(page, segment["end"] - 0.5))
    page.wait_for_function(f"() => {STATS_JS}.firstPictureMs.length > 0")
    page.keyboard.press(" ")
    page.wait_for_function(f"() => {STATS_JS}.playing === false")
    before = page.evaluate(STATS)["time"]
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"t => Math.abs({STATS_JS}.time - t) < 0.3", arg=before - 10)
    expect(page.locator('[data-tl="play"]')).to_have_attribute("aria-pressed", "false")
    page.keyboard.press(" ")
    expect(page.locator('[data-tl="play"]')).to_have_attribute("aria-pressed", "true")


def test_phone_taps_play_and_nothing_overflows(new_page: Any, recording: LivecamServer):
    page = _open(new_page, recording, viewport=PHONE, has_touch=True, is_mobile=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    for name in ("back", "play", "forward", "zoom-in", "zoom-out", "download"):
        box = page.locator(f'[data-tl="{name}"]').bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"], name
    page.locator('[data-tl="zoom-in"]').tap()
    page.locator('[data-tl="zoom-in"]').tap()
    wait_until(lambda: _window(page)[1] - _window(page)[0] == pytest.approx(300), what="zoom")
    segment = _finished(recording)[-2]
    page.touchscreen.tap(*_x(page, segment["start"] + 1))
    page.wait_for_function(f"() => {STATS_JS}.firstPictureMs.length > 0")
    assert page.evaluate(STATS)["lastSeek"] == pytest.approx(segment["start"] + 1, abs=2)


def test_download_link_covers_the_window_and_gives_that_clip(
    new_page: Any, recording: LivecamServer
):
    page = _open(new_page, recording)
    _zoom_to_five_minutes(page)
    link = page.locator('[data-tl="download"]')
    start, end = _window(page)
    href = link.get_attribute("href")
    assert href.startswith(f"/cameras/{CAMERA}/clip.mp4?")
    query = dict(part.split("=") for part in href.split("?", 1)[1].split("&"))
    assert int(query["start"]) == int(start // 1)
    assert int(query["end"]) <= int(-(-end // 1))  # up to the window's end (or now, if earlier)
    assert link.get_attribute("aria-disabled") == "false"
    response = page.request.get(recording.url(href))
    assert response.status == 200 and response.headers["content-type"] == "video/mp4"
    recorded = _timeline(recording, int(query["start"]), int(query["end"]))["ranges"]
    wanted = sum(
        min(r["end"], int(query["end"])) - max(r["start"], int(query["start"])) for r in recorded
    )
    with av.open(io.BytesIO(response.body())) as container:
        stream = container.streams.video[0]
        times = [float(f.pts * stream.time_base) for f in container.decode(stream)]
    assert times[-1] - times[0] == pytest.approx(wanted, abs=GOP_S + 2 * SEGMENT_S)
    # Zoomed out past the clip limit, the link says to zoom in instead of failing.
    for _ in range(3):
        page.keyboard.press("-")
    wait_until(lambda: _window(page)[1] - _window(page)[0] > 3600, what="zoom out")
    assert link.get_attribute("aria-disabled") == "true"


CONTRAST = (Path(__file__).parent / "contrast.js").read_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_timeline_reads_in_japanese_with_aa_contrast(
    new_page: Any, recording: LivecamServer, scheme: str
):
    page = _open(new_page, recording, locale="ja-JP", color_scheme=scheme)
    expect(page.get_by_role("heading", name="タイムライン", level=2)).to_be_visible()
    expect(page.locator('[data-tl="download"]')).to_have_text("この範囲をダウンロード")
    expect(page.locator("[data-tl-state]")).to_have_text("録画中")
    measured = page.evaluate(CONTRAST)
    low = [m for m in measured if m[2] < 4.5]
    assert not low, f"text below 4.5:1 contrast in {scheme} mode: {low}"


def test_drag_plays_from_where_it_is_let_go_and_speed_and_live(
    new_page: Any, recording: LivecamServer
):
    page = _open(new_page, recording)
    _zoom_to_five_minutes(page)
    first, last = _finished(recording)[-6], _finished(recording)[-2]
    page.mouse.move(*_x(page, first["start"] + 0.5))
    page.mouse.down()
    page.mouse.move(*_x(page, last["start"] + 0.5), steps=8)
    page.mouse.up()
    page.wait_for_function(f"() => {STATS_JS}.firstPictureMs.length > 0")
    per_pixel = 300 / page.locator(".tl-bar").bounding_box()["width"]
    stats = page.evaluate(STATS)
    assert stats["lastSeek"] == pytest.approx(last["start"] + 0.5, abs=per_pixel)
    assert stats["seeks"] <= 2  # the drag itself seeks once, when let go (plus the first picture)
    page.locator('[data-speed="4"]').click()
    expect(page.locator('[data-speed="4"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('[data-speed="1"]')).to_have_attribute("aria-pressed", "false")
    rates = page.evaluate(
        "() => [...document.querySelectorAll('video.tl-video')].map(v => v.playbackRate)"
    )
    assert rates == [4, 4]
    assert page.locator('[data-tl="live"]').get_attribute("href") == f"/cameras/{CAMERA}/"
