"""The detector and event tracker on scripted scenes: motion fires, stillness and light do not."""

from __future__ import annotations

import pytest

from livecam.motion.detector import DetectorConfig, parse_mask
from livecam.sources import parse_source
from livecam.sources.base import SourceError
from tests.motion.scenes import run_scene


def test_moving_object_makes_one_event_at_the_scripted_time():
    result = run_scene("scene:motion?at=3&for=3", seconds=10)
    assert len(result.events) == 1
    started, last_motion, peak = result.events[0]
    assert 3.0 <= started <= 3.6  # the object enters at 3 s; two analyses confirm it
    assert 5.4 <= last_motion <= 6.0  # and has left by 6 s
    assert 0.02 < peak < 0.2
    assert all(3.0 <= at < 6.2 for at in result.detected_at)


def test_still_scene_never_fires():
    result = run_scene("scene:still", seconds=20)
    assert result.analyses == 100
    assert result.detections == 0
    assert result.events == []


@pytest.mark.parametrize("gain", [1.6, 0.5, 2.5])
def test_global_lighting_change_does_not_fire(gain: float):
    result = run_scene(f"scene:lighting?at=3&for=4&gain={gain}", seconds=12)
    assert result.events == [], result.events


def test_small_object_below_min_area_is_ignored():
    small = "scene:motion?at=1&for=3&size=0.05"  # a 48 px square: 0.75 % of the frame
    assert len(run_scene(small, seconds=6, config=DetectorConfig(min_area=0.2)).events) == 1
    assert run_scene(small, seconds=6, config=DetectorConfig(min_area=2.0)).events == []


def test_masked_region_is_ignored():
    # The object crosses the middle band (rows 35-65 %); masking that band hides it.
    mask = parse_mask("0,30,100,40")
    assert (
        run_scene("scene:motion?at=1&for=3", seconds=6, config=DetectorConfig(mask=mask)).events
        == []
    )
    half = parse_mask("0,0,50,100")  # the right half still sees it
    assert (
        len(
            run_scene("scene:motion?at=1&for=3", seconds=6, config=DetectorConfig(mask=half)).events
        )
        == 1
    )


def test_threshold_controls_sensitivity():
    # A faint object (close to the background) needs a lower threshold.
    assert (
        run_scene("scene:motion?at=1&for=3", seconds=6, config=DetectorConfig(threshold=250)).events
        == []
    )


@pytest.mark.parametrize(
    "text", ["1,2,3", "a,b,c,d", "0,0,0,10", "-1,0,10,10", "0,0,101,10", "0,0,10,10;" * 33]
)
def test_bad_masks_are_refused_with_a_reason(text: str):
    with pytest.raises(ValueError, match=r"\w"):
        parse_mask(text)


def test_mask_clips_to_the_frame():
    assert parse_mask(" 90,90,50,50 ; ") == ((0.9, 0.9, 0.1, 0.1),)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("scene:still", "scene:still"),
        ("scene:motion?at=2&for=1.5", "scene:motion?at=2&for=1.5"),
        ("scene:lighting?gain=0.50", "scene:lighting?gain=0.5"),
    ],
)
def test_scene_sources_parse_to_canonical_form(text: str, canonical: str):
    assert str(parse_source(text)) == canonical


@pytest.mark.parametrize(
    "text",
    ["scene:", "scene:dance", "scene:motion?at=x", "scene:motion?speed=2", "scene:still?at=-1"],
)
def test_bad_scenes_are_refused(text: str):
    with pytest.raises(SourceError):
        parse_source(text)
