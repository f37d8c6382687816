"""Run a benchmark module of bench/ as the command line does, for the smoke tests."""

from __future__ import annotations

import subprocess
import sys

from tests.support.server import ROOT


def run_bench(module: str, *args: str, timeout: float) -> str:
    """Run ``python -m bench.<module> args`` from the project root; return its stdout.

    Fails the test with the end of stderr when the benchmark exits non-zero.
    """
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
