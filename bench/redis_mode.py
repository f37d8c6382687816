"""Fan-out through Redis: `livecam capture` + `livecam serve --workers 2` vs one process.

python -m bench.redis_mode [--quick] [--no-report]

Every server process (redis-server, capture, the web workers) is pinned to the CPUs under test
and counted in the CPU figures; the load generator stays on CPU 1. "cpu0" gives the Redis mode
the same single core as the single-process server (the cost of the extra hop); "cpu0,1" lets
its processes use both cores (shared with the load generator, so it understates the gain).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from bench import servers
from bench.measure import build_loadgen
from bench.report import _machine, _table
from bench.run import sweep
from bench.servers import LivecamServer, free_port

HERE = Path(__file__).resolve().parent


class RedisModeServer(LivecamServer):
    """redis-server + `livecam capture` + `livecam serve --workers N`, pinned to `cpus`."""

    name = "redis"

    def __init__(self, cpus: str = "0", workers: int = 2, width: int = 640, height: int = 480):
        super().__init__(width, height)
        self.cpus, self.workers = cpus, workers
        self.redis_port = free_port()
        self.extra: list[subprocess.Popen[bytes]] = []

    def env(self) -> dict[str, str]:
        return {**super().env(), "LIVECAM_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0"}

    def _spawn(self, name: str, args: list[str]) -> None:
        with (self.workdir / f"{name}.log").open("ab") as log:
            self.extra.append(
                subprocess.Popen(
                    ["taskset", "-c", self.cpus, *args],
                    env=self.env(),
                    cwd=servers.ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def prepare(self) -> None:
        self._spawn("redis", ["redis-server", "--port", str(self.redis_port), "--save", ""])
        deadline = time.monotonic() + 15
        while (
            subprocess.run(
                ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True, text=True
            ).stdout.strip()
            != "PONG"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        super().prepare()

    def command(self) -> list[str]:
        return [*super().command(), "--workers", str(self.workers)]

    def start(self) -> None:
        saved, servers.SERVER_CPU = servers.SERVER_CPU, self.cpus
        try:
            super().start()
        except BaseException:
            self.stop()  # leave no redis-server or capture process behind
            raise
        finally:
            servers.SERVER_CPU = saved

    def after_start(self) -> None:
        self._spawn("capture", [sys.executable, "-m", "livecam.cli", "capture"])
        super().after_start()

    def tree(self) -> list[psutil.Process]:
        procs = super().tree()
        for process in self.extra:
            try:
                root = psutil.Process(process.pid)
                procs += [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return procs

    def stop(self) -> None:
        super().stop()
        for process in reversed(self.extra):  # capture first, Redis last
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few viewers, a few seconds")
    parser.add_argument("--no-report", action="store_true", help="print JSON, write nothing")
    args = parser.parse_args(argv)
    build_loadgen()
    started = time.time()
    results: dict[str, Any] = {}
    if args.quick:
        results["single_640"] = sweep(LivecamServer, [3], label="single 640", window=2)
        results["redis-cpu0_640"] = sweep(RedisModeServer, [3], label="redis cpu0", window=2)
    else:
        ladder, sat = [1, 100, 300], [500, 700, 900, 1100, 1300, 1500, 1800, 2100]
        results["single_640"] = sweep(LivecamServer, ladder, sat, "single 640")
        results["redis-cpu0_640"] = sweep(RedisModeServer, ladder, sat, "redis cpu0")
        results["redis-cpu01_640"] = sweep(
            lambda: RedisModeServer("0,1"), ladder, sat, "redis cpu0,1"
        )
    results["duration_s"] = round(time.time() - started)
    if args.no_report:
        print(json.dumps(results, indent=1))
        return 0
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    capacity = ", ".join(
        f"{k} {v['capacity']}"
        for k, v in results.items()
        if isinstance(v, dict) and "capacity" in v
    )
    out = [
        f"\n## Redis mode {'quick run' if args.quick else 'run'} of {now}\n",
        f"Machine: {_machine()}. `python -m bench.redis_mode`: single = `livecam serve` (capture "
        "inside) on CPU 0; redis = redis-server + `livecam capture` + `livecam serve --workers 2` "
        "on the CPUs named, all their CPU counted; load generator on CPU 1.\n",
        f"Capacity (largest N with every viewer ≥ 29 fps): {capacity}\n",
        *_table(results),
        "",
    ]
    path = HERE / "RESULTS.md"
    if not path.exists():
        path.write_text("# Benchmark results\n")
    with path.open("a") as handle:
        handle.write("\n".join(out) + "\n")
    print(f"results appended to {path} ({results['duration_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
