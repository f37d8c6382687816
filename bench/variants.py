"""CPU of one `?width=` JPEG variant watched through two web workers (Redis mode).

python -m bench.variants [--root DIR] [--viewers 20,100] [--label after] [--no-report]

redis-server, `livecam capture` and `livecam serve --workers 2` share CPU 0; the load generator
(CPU 1) opens N viewers of `stream.mjpg?width=320` of one 640x480@30 pattern camera. Reports
the CPU of each role over the measured window. ``--root`` runs another checkout's livecam (for
a before/after comparison: ``git archive main | tar -x -C /tmp/before``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from bench import servers
from bench.measure import build_loadgen, run_viewers
from bench.redis_mode import RedisModeServer

HERE = Path(__file__).resolve().parent
WIDTH = 320


class VariantServer(RedisModeServer):
    """The Redis mode with viewers of one width variant; CPU noted per role at each mark."""

    path = f"/cameras/cam/stream.mjpg?width={WIDTH}"

    def __init__(self) -> None:
        super().__init__("0", workers=2)
        self.marks: list[dict[str, float]] = []

    def cpu_seconds(self) -> float:
        web = servers.cpu_seconds(servers.LivecamServer.tree(self))  # serve and its workers
        roles = {"web": web}
        for name, process in zip(("redis", "capture"), self.extra, strict=False):
            roles[name] = servers.cpu_seconds(_family(process.pid))
        self.marks.append(roles)
        return sum(roles.values())


def _family(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def measure(counts: list[int]) -> list[dict[str, Any]]:
    """Return one row per viewer count: fps, total and per-role CPU % of one core."""
    rows = []
    for viewers in counts:
        server = VariantServer()
        server.start()
        try:
            time.sleep(2)  # let both workers finish starting before the window
            result = run_viewers(server, viewers)
            (before, after), window = server.marks[-2:], result["window_s"]
            roles = {k: round(100 * (after[k] - before[k]) / window, 1) for k in after}
            rows.append(
                {
                    "viewers": viewers,
                    "fps_min": result["fps_min"],
                    "fps_median": result.get("fps_median", result.get("parts_median")),
                    "cpu_pct": result["server_cpu_pct"],
                    **{f"cpu_{k}_pct": v for k, v in roles.items()},
                }
            )
        finally:
            server.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", help="run the livecam of this checkout")
    parser.add_argument("--viewers", default="20,100")
    parser.add_argument("--label", default="")
    parser.add_argument("--no-report", action="store_true", help="print JSON, write nothing")
    args = parser.parse_args(argv)
    if args.root:
        servers.ROOT = Path(args.root).resolve()
    build_loadgen()
    rows = measure([int(n) for n in args.viewers.split(",")])
    print(json.dumps(rows, indent=1))
    if args.no_report:
        return 0
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"\n### `?width={WIDTH}` through 2 workers, {args.label or 'run'} ({now})\n"]
    lines.append("| viewers | fps min | CPU total % | web % | capture % | redis % |")
    lines.append("|---|---|---|---|---|---|")
    for row in rows:
        lines.append(
            f"| {row['viewers']} | {row['fps_min']} | {row['cpu_pct']} | {row['cpu_web_pct']} "
            f"| {row['cpu_capture_pct']} | {row['cpu_redis_pct']} |"
        )
    with (HERE / "RESULTS.md").open("a") as handle:
        handle.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
