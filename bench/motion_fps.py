"""Does motion detection cost stream frame rate? Delivered fps at 640x480, 30 fps.

Starts a real ``livecam serve``, adds the moving test pattern (640x480 at 30 fps, so the
detector finds motion all the time: the worst case, events and snapshots included), and
measures what one viewer receives with detection off, on, and on with the overlay (box and
timestamp drawn, still one encode per frame). Rounds are interleaved so that a change in
the machine's load hits every mode alike.

    python -m bench.motion_fps [--rounds 3] [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from tests.support.server import LivecamServer

MODES = {
    "off": {"motion": False, "overlay": False},
    "on": {"motion": True, "overlay": False},
    "on+overlay": {"motion": True, "overlay": True},
}


def count_parts(server: LivecamServer, camera: str, seconds: float, warmup: float = 1.5) -> float:
    """Return the frames per second one viewer received over ``seconds``."""
    marker = b"Content-Type: image/jpeg"
    with (
        httpx.Client(base_url=server.base_url, headers=server.auth_headers(), timeout=10) as client,
        client.stream("GET", f"/cameras/{camera}/stream.mjpg") as response,
    ):
        start = time.monotonic()
        counted, began, tail = 0, None, b""
        for chunk in response.iter_bytes():
            now = time.monotonic()
            data = tail + chunk
            if began is None and now - start >= warmup:
                began = now
            elif began is not None:
                counted += data.count(marker)
                if now - began >= seconds:
                    return counted / (now - began)
            tail = data[-len(marker) :]
    raise RuntimeError("stream ended")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = LivecamServer(Path(tmp))
        server.start()
        try:
            server.add_camera(
                "bench", "pattern:", "--width", "640", "--height", "480", "--fps", "30"
            )
            server.wait_for("bench", lambda s: s["state"] == "online", timeout=30)
            process = psutil.Process(server.process.pid)  # type: ignore[union-attr]
            results: dict[str, list[float]] = {mode: [] for mode in MODES}
            cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
            with server.api() as api:
                for _ in range(args.rounds):
                    for mode, fields in MODES.items():
                        api.patch("/api/cameras/bench/motion", json=fields).raise_for_status()
                        time.sleep(1.0)  # let capture pick the settings up
                        cpu0 = sum(process.cpu_times()[:2])
                        t0 = time.monotonic()
                        results[mode].append(count_parts(server, "bench", args.seconds))
                        cpu[mode].append(
                            100 * (sum(process.cpu_times()[:2]) - cpu0) / (time.monotonic() - t0)
                        )
                events = api.get("/api/cameras/bench/events", params={"limit": 500}).json()
        finally:
            server.stop()
    base = statistics.mean(results["off"])
    print("| detection | delivered fps (mean of rounds) | rounds | vs off | server CPU % |")
    print("|---|---|---|---|---|")
    summary = {}
    for mode in MODES:
        mean = statistics.mean(results[mode])
        change = 100 * (mean - base) / base
        rounds = ", ".join(f"{v:.2f}" for v in results[mode])
        print(
            f"| {mode} | {mean:.2f} | {rounds} | {change:+.1f} % | {statistics.mean(cpu[mode]):.0f} |"
        )
        summary[mode] = {
            "fps": round(mean, 2),
            "change_pct": round(change, 2),
            "cpu_pct": round(statistics.mean(cpu[mode]), 1),
        }
    summary["events_recorded"] = len(events)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
