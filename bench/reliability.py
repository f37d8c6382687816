"""Measure how livecam rides out faults; the figures of docs/reliability.md.

python -m bench.reliability [--repeat N] [--cycles N]   (about two minutes on 2 cores)

Real servers, real sockets, the scripted source of tests/support/faulty.py for faults. Prints
one JSON document and a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from tests.reliability.conftest import FAULT_SETTINGS
from tests.reliability.test_churn import churn, quiet_point
from tests.reliability.test_stalled_viewer import server_side_open
from tests.support.faulty import ScriptedCamera
from tests.support.metrics import read_metrics
from tests.support.server import LivecamServer
from tests.support.viewer import Viewer, connection_closed, stalled_viewer, watch


def _rss_mib(server: LivecamServer) -> float:
    assert server.process is not None
    return round(psutil.Process(server.process.pid).memory_info().rss / 2**20, 1)


def _scripted(
    server: LivecamServer, directory: Path, camera_id: str, *opts: str, mode: str = "ok"
) -> ScriptedCamera:
    camera = ScriptedCamera(directory, camera_id, mode)
    server.add_camera(camera_id, camera.source, "--width", "160", "--height", "120", *opts)
    return camera


def faults(server: LivecamServer, directory: Path, repeat: int) -> dict[str, Any]:
    """Time to placeholder and to resume (same connection), blocked-read detection, backoff."""
    camera = _scripted(server, directory, "faulty")
    server.wait_for("faulty", lambda s: s["online"])
    to_placeholder, to_resume = [], []
    with Viewer(server, "faulty", camera.is_live) as view:
        for _ in range(repeat):
            view.wait(live=True, after=time.monotonic())
            fault = time.monotonic()
            camera.set("raise")
            shown, _ = view.wait(live=False, after=fault)
            time.sleep(0.5)  # the fault lasts a moment, as an unplugged cable would
            fixed = time.monotonic()
            camera.set("ok")
            live, _ = view.wait(live=True, after=fixed)
            to_placeholder.append(shown - fault)
            to_resume.append(live - fixed)
        same_connection = not view.ended
        camera.set("block")
        blocked = camera.wait("read-blocked")[0][1]
        server.wait_for("faulty", lambda s: s["state"] == "error", timeout=20)
        detected = time.time() - blocked
        shown, _ = view.wait(live=False, after=time.monotonic() - 0.2)
        camera.set("ok")
        fixed = time.monotonic()
        live, _ = view.wait(live=True, after=fixed, timeout=20)
    backoff_cam = _scripted(server, directory, "backoff", mode="fail-open")
    tries = backoff_cam.wait("open-try", 7, timeout=30)
    backoff_cam.set("ok")
    return {
        "placeholder_after_error_s": _spread(to_placeholder),
        "resume_after_recovery_s": _spread(to_resume),
        "same_connection": same_connection,
        "read_timeout_s": FAULT_SETTINGS["READ_TIMEOUT"],
        "blocked_read_detected_s": round(detected, 2),
        "resume_after_blocked_read_s": round(live - fixed, 2),
        "backoff_gaps_s": [round(b - a, 2) for (_, a), (_, b) in itertools.pairwise(tries)],
    }


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


def on_demand(server: LivecamServer, directory: Path, repeat: int) -> dict[str, Any]:
    """Viewer arrives → source open → first live frame; last viewer leaves → source closed."""
    camera = _scripted(server, directory, "lazy", "--on-demand", "--linger", "2")
    server.wait_for("lazy", lambda s: s["state"] == "idle")
    opens, firsts, releases = [], [], []
    for index in range(repeat):
        asked = time.time()
        started = time.monotonic()
        with Viewer(server, "lazy", camera.is_live) as view:
            opened = camera.wait("open", index + 1)[-1][1]
            live, _ = view.wait(live=True)
        left = time.time()
        closed = camera.wait("close", index + 1, timeout=10)[-1][1]
        opens.append(opened - asked)
        firsts.append(live - started)
        releases.append(closed - left)
        server.wait_for("lazy", lambda s: s["state"] == "idle")
    return {
        "open_after_viewer_s": _spread(opens),
        "first_frame_after_viewer_s": _spread(firsts),
        "linger_s": 2.0,
        "released_after_last_viewer_s": _spread(releases),
    }


def stalled(server: LivecamServer) -> dict[str, Any]:
    """One viewer stops reading while 20 watch: their frames, server memory, eviction."""
    server.add_camera("cam", "pattern:", "--width", "640", "--height", "480", "--fps", "15")
    server.wait_for("cam", lambda s: s["online"])
    path = "/cameras/cam/stream.mjpg"
    with server.api() as api:
        rss_before = _rss_mib(server)
        staller = stalled_viewer(server, path)
        stalled_at = time.monotonic()
        port = staller.getsockname()[1]

        def frames() -> float:
            return read_metrics(api)[("livecam_frames_captured_total", "cam")]

        counts, captured = asyncio.run(watch(server, path, 20, 8.0, frames))
        rss_during = _rss_mib(server)
        while server_side_open(server, port) and time.monotonic() - stalled_at < 60:
            time.sleep(0.1)
        evicted_after = time.monotonic() - stalled_at
        evicted = not server_side_open(server, port) and connection_closed(staller, 5)
        staller.close()
        rss_after = _rss_mib(server)
    return {
        "viewers": 20,
        "frames_captured": int(captured),
        "frames_per_viewer_min": min(counts),
        "share_min": round(min(counts) / captured, 3),
        "rss_mib_before": rss_before,
        "rss_mib_while_stalled": rss_during,
        "rss_mib_after": rss_after,
        "staller_evicted": evicted,
        "evicted_after_s": round(evicted_after, 1),
    }


def churn_figures(server: LivecamServer, cycles: int) -> dict[str, Any]:
    """Connect/disconnect cycles (half FIN, half RST): runtime figures at quiet points."""
    server.add_camera("demo", "pattern:")
    server.wait_for("demo", lambda s: s["online"])
    samples = [{"cycles": 0, **quiet_point(server)}]
    step = max(1, cycles // 4)
    started = time.monotonic()
    for start in range(0, cycles, step):
        asyncio.run(churn(server, step, start))
        samples.append({"cycles": start + step, **quiet_point(server)})
    return {"seconds": round(time.monotonic() - started, 1), "samples": samples}


def shutdown(directory: Path) -> dict[str, Any]:
    """SIGTERM with 12 viewers on 3 cameras: time to exit, sources released."""
    (directory / "shutdown").mkdir()
    server = LivecamServer(directory / "shutdown", settings=FAULT_SETTINGS)
    server.start()
    cameras = [_scripted(server, directory, f"cam{index}") for index in range(3)]
    viewers = []
    for camera in cameras:
        server.wait_for(camera.camera_id, lambda s: s["online"])
        viewers += [Viewer(server, camera.camera_id, camera.is_live) for _ in range(4)]
    for view in viewers:
        view.wait(live=True)
    started = time.monotonic()
    code = server.stop(signal.SIGTERM)
    elapsed = time.monotonic() - started
    released = all(len(c.events("close")) == len(c.events("open")) for c in cameras)
    for view in viewers:
        view.close()
    return {"exit_code": code, "exit_s": round(elapsed, 2), "sources_released": released}


def main() -> None:
    """Run every scenario and print the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cycles", type=int, default=2000)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="livecam-reliability-") as tmp:
        root = Path(tmp)
        for name in ("faults", "plain"):
            (root / name).mkdir()
        fault_server = LivecamServer(root / "faults", settings=FAULT_SETTINGS)
        fault_server.start()
        try:
            results["faults"] = faults(fault_server, root, args.repeat)
            results["on_demand"] = on_demand(fault_server, root, args.repeat)
        finally:
            fault_server.stop()
        plain = LivecamServer(root / "plain")
        plain.start()
        try:
            results["stalled_viewer"] = stalled(plain)
            results["churn"] = churn_figures(plain, args.cycles)
        finally:
            plain.stop()
        results["shutdown"] = shutdown(root)
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
