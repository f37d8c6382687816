"""The benchmark in miniature, so it never rots: a few viewers for a few seconds, no timings."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support.bench import run_bench


@pytest.mark.timeout(180)
def test_benchmark_runs_end_to_end():
    if shutil.which("taskset") is None or shutil.which("gcc") is None:
        pytest.skip("the benchmark needs taskset and gcc")
    stdout = run_bench("run", "--quick", "--no-report", timeout=170)
    report = json.loads(stdout[stdout.index("{\n") :])
    for system in ("floor_640", "livecam_640"):
        row = report[system]["rows"][0]
        assert row["ready"] == row["alive"] == 3, row
        assert row["parts_per_s"] > 0 and row["lat_p50_ms"] >= 0
    assert report["livecam_640"]["rows"][0]["encodes_per_frame"] > 0
