"""The dashboard benchmark in miniature, so it never rots: four pattern cameras for 2 s."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support.bench import run_bench
from tests.support.browser import missing_chromium


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_dashboard_benchmark_runs_end_to_end():
    if shutil.which("taskset") is None:
        pytest.skip("the benchmark needs taskset")
    problem = missing_chromium()
    if problem:
        pytest.fail(problem, pytrace=False)
    stdout = run_bench(
        "dashboard_video",
        *("--quick", "--counts", "4", "--seconds", "2", "--no-report"),
        timeout=230,
    )
    rows = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    by_layout = {row.get("layout") + "/" + row.get("mode", ""): row for row in rows}
    h264, mjpeg = by_layout["H.264 per card/"], by_layout["MJPEG per card/"]
    assert h264["fps_per_card"] > 0 and mjpeg["fps_per_card"] > 0, rows
    # H.264 pictures are smaller than the same pictures as JPEG (the layout choice rests on it).
    assert h264["bytes_per_picture"] < mjpeg["bytes_per_picture"], rows
    assert by_layout["stream/auto"]["played"] == ["h264"] * 4, rows
    assert by_layout["stream/mjpeg"]["played"] == ["mjpeg"] * 4, rows
