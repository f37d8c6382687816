"""The H.264 benchmarks in miniature (a few frames, a few viewers): they run and make sense."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from bench.photo_scene import PhotoScene
from tests.support.bench import run_bench

pytest.importorskip("skimage", reason="the bench extra (scikit-image) is not installed")


def test_the_photo_scene_moves_and_is_noisy_like_a_sensor():
    scene = PhotoScene(160, 120, 30.0)
    first, later = scene.frame(0), scene.frame(45)
    assert first.shape == (120, 160, 3) and first.dtype == np.uint8
    # The picture pans: frames 1.5 s apart differ far beyond the noise.
    assert np.abs(first.astype(int) - later.astype(int)).mean() > 5
    noise = scene.frame(0).astype(int) - scene.clean(0).astype(int)
    assert 1.0 < noise.std() < 3.0
    assert (scene.frame(7) == PhotoScene(160, 120, 30.0).frame(7)).all()  # deterministic


@pytest.mark.timeout(120)
def test_quality_benchmark_compares_h264_with_mjpeg():
    stdout = run_bench(
        "h264_quality", *("--frames", "6", "--width", "160", "--height", "120"), timeout=110
    )
    rows = [line.split("|") for line in stdout.splitlines() if line.startswith("| ")]
    names = [row[1].strip() for row in rows]
    assert "MJPEG q80" in names and "default" in names
    for row in rows:
        if row[1].strip() == "stream":
            continue  # a table's header
        ssim = float(row[4].split()[0])
        assert 0.3 < ssim <= 1.0, row


@pytest.mark.timeout(240)
def test_serving_benchmark_reads_both_streams():
    if shutil.which("taskset") is None or shutil.which("gcc") is None:
        pytest.skip("the benchmark needs taskset and gcc")
    stdout = run_bench(
        "h264_serve",
        *("--rounds", "1", "--viewers", "3", "--window", "1.5", "--ladder", ""),
        *("--encodes", "2", "--no-photo"),
        timeout=230,
    )
    lines = [line.split() for line in stdout.splitlines() if " N=" in line]
    formats = {
        line[next(i for i, w in enumerate(line) if w.startswith("N=")) - 1] for line in lines
    }
    assert formats == {"mjpeg", "mp4"}, stdout
    for line in lines:
        fps_min = float(line[line.index("min") + 1])
        assert fps_min > 0, line  # loadgen counted MJPEG parts and MP4 fragments
    assert any(line[1] == "mp4" and "h264/frame" in " ".join(line) for line in lines)


@pytest.mark.timeout(120)
def test_encode_benchmark_encodes_every_frame_from_bgr_and_from_the_decoders_picture():
    stdout = run_bench("h264_encode", "--frames", "6", timeout=110)
    rows = {
        row[1].strip(): row
        for row in (line.split("|") for line in stdout.splitlines())
        if len(row) > 6 and "640x480" in row[1]
    }
    assert any("from its YUV" in name for name in rows), stdout
    assert any("from BGR" in name for name in rows), stdout
    for row in rows.values():
        assert float(row[2]) > 0  # CPU per frame
        assert float(row[6]) == 1.0  # one fragment per frame
