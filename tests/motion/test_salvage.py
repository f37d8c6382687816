"""Fragmented recordings cut at their last whole fragment; the writer's lock across processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from livecam.recording import lock
from livecam.recording.salvage import complete_length, salvage
from livecam.recording.writer import Mp4Writer

FPS = 10


def _frame(index: int) -> np.ndarray:
    image = np.zeros((120, 160, 3), dtype=np.uint8)
    image[:, (index * 5) % 160 :] = (index * 9) % 255
    return image


def _decoded(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_a_torn_recording_keeps_every_whole_fragment(tmp_path: Path):
    writer = Mp4Writer(tmp_path / "rec.mp4", 160, 120, FPS)
    for index in range(35):  # 3.5 s: keyframes (and fragments) at 0, 1, 2 and 3 s
        writer.write_image(_frame(index), 100.0 + index / FPS)
    # What a kill -9 leaves: the fragments flushed so far, and a torn tail.
    torn = tmp_path / "copy.mp4.part"
    shutil.copy(writer.part, torn)
    with torn.open("ab") as file:
        file.write(b"\0\0\1\0moof" + b"x" * 100)
    writer.close()
    writer.release()

    whole = complete_length(torn)
    assert 0 < whole < torn.stat().st_size
    kept = salvage(torn, tmp_path / "copy.mp4")
    assert kept is not None and not torn.exists()
    assert kept.frames == 30, kept  # everything but the fragment in progress (the last 0.5 s)
    assert abs(kept.duration - 3.0) < 0.01
    assert _decoded(tmp_path / "copy.mp4") == kept.frames
    assert _decoded(tmp_path / "rec.mp4") == 35


def test_a_part_without_a_whole_fragment_is_dropped(tmp_path: Path):
    part = tmp_path / "empty.mp4.part"
    part.write_bytes(b"\0\0\0\x18ftypisom" + b"\0" * 12)
    assert salvage(part, tmp_path / "empty.mp4") is None
    assert not part.exists() and not (tmp_path / "empty.mp4").exists()


def test_a_file_locked_by_another_process_is_being_written(tmp_path: Path):
    path = tmp_path / "rec.mp4.part"
    script = (
        "import sys, pathlib; from livecam.recording import lock; "
        f"lock.hold(pathlib.Path({str(path)!r})); print('held', flush=True); sys.stdin.read()"
    )
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=root
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
            assert lock.being_written(path)
            with pytest.raises(BlockingIOError):
                lock.hold(path)
        finally:
            holder.kill()  # like kill -9: the kernel drops the lock with the process
    assert not lock.being_written(path)
    lock.hold(path).close()
    assert not lock.being_written(tmp_path / "missing")
