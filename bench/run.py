"""Run every benchmark scenario and append the results to bench/RESULTS.md.

python -m bench.run [--quick]   (the full run takes about 10 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.measure import WINDOW, build_loadgen, off_with_viewers, run_viewers
from bench.report import write_report
from bench.servers import FloorServer, LivecamServer, SeedServer, Server

HERE = Path(__file__).resolve().parent


NEAR_MISS_FPS = 27.0
"""A failed window whose slowest viewer still got this much is measured once more."""


def sweep(
    make: Callable[[], Server],
    counts: Iterable[int],
    saturation: Iterable[int] = (),
    label: str = "",
    window: float = WINDOW,
) -> dict[str, Any]:
    """Measure one server at fixed viewer counts, then find its capacity.

    Capacity is the largest N at which every viewer gets at least 29 fps: step up through
    `saturation` until a run fails, then bisect between the last pass and the first failure
    to within 5 %. Every capacity run starts on a fresh server process (one that has just
    served a thousand viewers was seen to fail a level a fresh one passes), and a near miss
    is repeated once, so one disturbed window on a shared machine does not decide it.
    """
    rows: list[dict[str, Any]] = []
    server = make()
    server.start()
    used = False

    def fresh_server() -> Server:
        nonlocal server, used
        server.stop()
        server = make()
        server.start()
        time.sleep(1)
        used = False
        return server

    def run(n: int) -> dict[str, Any]:
        nonlocal used
        used = True
        return {"viewers": n, **run_viewers(server, n, window=window)}

    def measure(n: int, fresh: bool = False) -> bool:
        if fresh and used:
            fresh_server()
        row = run(n)
        if not row["passed"] and row["fps_min"] >= NEAR_MISS_FPS:
            _log(label, row)
            fresh_server()
            row = {**run(n), "retried": True}
        rows.append(row)
        _log(label, row)
        if not row["passed"]:
            fresh_server()  # an overloaded server may not recover: never measure it again
        return bool(row["passed"])

    try:
        time.sleep(1)
        idle = {"viewers": 0, "rss_mb": round(server.rss_mb(), 1)}
        outcomes = {n: measure(n) for n in counts}
        capacity = max([n for n, ok in outcomes.items() if ok], default=0)
        failed = min([n for n, ok in outcomes.items() if not ok and n > capacity], default=0)
        for n in saturation:
            if failed or n <= capacity:
                continue
            if measure(n, fresh=True):
                capacity = n
            else:
                failed = n
        while failed and failed - capacity > max(10, capacity // 20):
            middle = (capacity + failed) // 2
            if measure(middle, fresh=True):
                capacity = middle
            else:
                failed = middle
    finally:
        server.stop()
    return {"label": label, "idle": idle, "rows": rows, "capacity": capacity}


def _log(label: str, row: dict[str, Any]) -> None:
    print(
        f"{label:>14} N={row['viewers']:<4} fps min {row['fps_min']:5.1f} "
        f"cpu {row['server_cpu_pct']:5.1f}% µs/part {row['us_per_part']} "
        f"lat p50 {row['lat_p50_ms']} ms  client cpu {row['client_cpu_pct']}% "
        f"{'pass' if row['passed'] else 'FAIL'}",
        flush=True,
    )


def off_scenario(make: Callable[[], Server], label: str) -> dict[str, Any]:
    server = make()
    server.start()
    try:
        result = off_with_viewers(server, 50)
    finally:
        server.stop()
    print(f"{label:>14} OFF with 50 viewers: cpu {result['server_cpu_pct']}%", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few viewers, a few seconds")
    parser.add_argument("--no-report", action="store_true", help="print JSON, write nothing")
    args = parser.parse_args(argv)
    # Servers run in their own sessions: a SIGTERM must unwind through the `finally` blocks
    # that stop them, or they would keep loading the machine after the benchmark is gone.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    build_loadgen()
    started = time.time()
    results: dict[str, Any] = {}
    if args.quick:
        results["floor_640"] = sweep(FloorServer, [3], label="floor 640", window=2)
        results["livecam_640"] = sweep(LivecamServer, [3], label="livecam 640", window=2)
    else:
        ladder, sat = [1, 10, 100, 300, 500], [900, 1200, 1500, 1800, 2100]
        results["floor_640"] = sweep(FloorServer, ladder, sat, "floor 640")
        results["livecam_640"] = sweep(LivecamServer, ladder, sat, "livecam 640")
        results["seed_640"] = sweep(SeedServer, [1, 5, 10], [20], "seed 640")
        results["floor_720"] = sweep(
            lambda: FloorServer(1280, 720), [1, 100], [300, 500, 700, 900], "floor 720"
        )
        results["livecam_720"] = sweep(
            lambda: LivecamServer(1280, 720), [1, 100], [300, 500, 700, 900], "livecam 720"
        )
        results["off_livecam"] = off_scenario(LivecamServer, "livecam")
        results["off_seed"] = off_scenario(SeedServer, "seed")
        results["relay"] = relay_scenario()
    results["duration_s"] = round(time.time() - started)
    if args.no_report:
        print(json.dumps(results, indent=1))
    else:
        write_report(results, HERE / "RESULTS.md", quick=args.quick)
        print(f"results appended to {HERE / 'RESULTS.md'} ({results['duration_s']} s)")
    return 0


def relay_scenario() -> dict[str, Any]:
    """A livecam relay camera of the floor's stream: JPEGs must pass through (0 encodes)."""
    upstream = FloorServer()
    upstream.start()
    try:
        result = sweep(
            lambda: LivecamServer(source=f"mjpeg+http://127.0.0.1:{upstream.port}/stream"),
            [10],
            label="livecam relay",
        )
    finally:
        upstream.stop()
    return result


if __name__ == "__main__":
    sys.exit(main())
