"""Video files: looped at their own rate, and every way a file can go wrong is a SourceError."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from livecam.sources.base import SourceError
from livecam.sources.file import FileSource
from tests.support.sources import (
    close_during_read,
    frame_index,
    read_until_error,
    source_for,
    write_clip,
)

MakeClip = Callable[..., Path]


def indices(source: FileSource, count: int) -> list[int]:
    result = []
    for _ in range(count):
        image = source.read().image
        assert image is not None and image.shape == (240, 320, 3)
        result.append(frame_index(image))
    return result


def test_the_file_loops_from_its_first_frame(make_clip: MakeClip):
    source = source_for(f"file:{make_clip(frames=64, fps=240)}")
    assert isinstance(source, FileSource)
    with source:
        seen = indices(source, 64 + 20)
    assert seen == list(range(64)) + list(range(20))
    assert not source.passes_jpeg


def test_the_file_plays_at_its_own_rate(make_clip: MakeClip):
    # The capture options ask for 5 fps: a file plays at its own rate, the worker caps it.
    with source_for(f"file:{make_clip(frames=64, fps=25)}", fps=5) as source:
        assert isinstance(source, FileSource) and source.fps == 25
        source.read()
        started = time.monotonic()
        for _ in range(15):
            source.read()
        rate = 15 / (time.monotonic() - started)
    assert 20 < rate < 30, f"{rate:.1f} fps"


def test_a_file_deleted_while_playing_becomes_an_error(make_clip: MakeClip):
    clip = make_clip(frames=16, fps=240)
    with source_for(f"file:{clip}") as source:
        source.read()
        clip.unlink()
        # The open file plays to its end; starting again finds it gone.
        assert str(read_until_error(source, 40)) == f"file not found: {clip}"


def test_a_file_emptied_while_playing_becomes_an_error(make_clip: MakeClip):
    clip = make_clip(frames=16, fps=240)
    with source_for(f"file:{clip}") as source:
        source.read()
        os.truncate(clip, 0)
        assert "empty" in str(read_until_error(source, 40))


def test_a_replaced_file_plays_the_new_clip(make_clip: MakeClip, tmp_path: Path):
    clip = make_clip(frames=10, fps=240)
    new = write_clip(tmp_path / "new.avi", 30, 240)
    with source_for(f"file:{clip}") as source:
        assert isinstance(source, FileSource)
        first = indices(source, 5)
        os.replace(new, clip)  # how clips get updated: a new file renamed over the old one
        rest = indices(source, 5 + 30)
    assert first + rest[:5] == list(range(10))
    assert rest[5:] == list(range(30)), "the new clip from its first frame"


def test_a_truncated_file_still_plays_what_is_left(make_clip: MakeClip):
    clip = make_clip(frames=40, fps=240)
    os.truncate(clip, clip.stat().st_size // 2)
    with source_for(f"file:{clip}") as source:
        assert isinstance(source, FileSource)
        seen = indices(source, 40)
    assert 0 in seen[1:], "it started again after the last readable frame"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"this is not a video\n" * 100, "cannot read video file"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "cannot read video file|no frames"),
    ],
)
def test_files_that_are_not_videos_are_errors(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "bad.avi"
    path.write_bytes(content)
    source = source_for(f"file:{path}")
    try:
        source.open()
        error = read_until_error(source, 1)
    except SourceError as exc:
        error = exc
    finally:
        source.close()
    assert re.search(message, str(error))


def test_a_missing_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(SourceError, match=f"file not found: {tmp_path}/gone.mp4"):
        source_for(f"file:{tmp_path / 'gone.mp4'}").open()


def test_a_directory_is_not_a_video(tmp_path: Path):
    with pytest.raises(SourceError, match="not a regular file"):
        source_for(f"file:{tmp_path}").open()


def test_close_from_another_thread_ends_a_waiting_read(make_clip: MakeClip):
    source = source_for(f"file:{make_clip(frames=4, fps=0.5)}")
    source.open()
    source.read()
    _message, seconds = close_during_read(source)
    assert seconds < 0.5
