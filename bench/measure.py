"""Build the load generator and measure one scenario against a running server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bench.servers import Server

HERE = Path(__file__).resolve().parent
LOADGEN = HERE / "build" / "loadgen"
CLIENT_CPU = "1"
PASS_FPS = 29.0
WARMUP = 1.5
"""Seconds every viewer streams before the measured window."""
WINDOW = 4.0
"""Seconds measured (120 frames at 30 fps: a viewer passes with 116)."""


def build_loadgen() -> Path:
    """Compile bench/loadgen.c when the binary is missing or older than the source."""
    source = HERE / "loadgen.c"
    if not LOADGEN.exists() or LOADGEN.stat().st_mtime < source.stat().st_mtime:
        LOADGEN.parent.mkdir(exist_ok=True)
        subprocess.run(["gcc", "-O2", "-Wall", "-o", str(LOADGEN), str(source)], check=True)
    return LOADGEN


def run_viewers(
    server: Server, viewers: int, warmup: float = WARMUP, window: float = WINDOW, pin: bool = True
) -> dict[str, Any]:
    """Open `viewers` streams, measure a window, and return loadgen's figures plus the server's."""
    command = [
        str(build_loadgen()),
        "127.0.0.1",
        str(server.port),
        server.path,
        str(viewers),
        str(warmup),
        str(window),
        str(max(15.0, viewers / 40)),
    ]
    if server.header:
        command.append(server.header)
    if pin:
        command = ["taskset", "-c", CLIENT_CPU, *command]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    marks: dict[str, tuple[float, float, dict[str, float]]] = {}
    result: dict[str, Any] = {}
    for line in process.stdout:
        line = line.strip()
        if line in ("SNAP0", "SNAP1"):
            marks[line] = (server.cpu_seconds(), server.rss_mb(), server.counters())
        elif line.startswith("{"):
            result = json.loads(line)
    process.wait(60)
    (cpu0, _, counters0), (cpu1, rss1, counters1) = marks["SNAP0"], marks["SNAP1"]
    window_s = result["window_s"]
    result["server_cpu_pct"] = round(100 * (cpu1 - cpu0) / window_s, 1)
    parts = result["parts_per_s"] * window_s
    result["us_per_part"] = round(1e6 * (cpu1 - cpu0) / parts, 1) if parts else None
    result["rss_mb"] = round(rss1, 1)
    captured = counters1.get("livecam_frames_captured_total", 0) - counters0.get(
        "livecam_frames_captured_total", 0
    )
    encoded = counters1.get("livecam_frames_encoded_total", 0) - counters0.get(
        "livecam_frames_encoded_total", 0
    )
    video = counters1.get("livecam_video_frames_encoded_total", 0) - counters0.get(
        "livecam_video_frames_encoded_total", 0
    )
    dropped = counters1.get("livecam_frames_dropped_total", 0) - counters0.get(
        "livecam_frames_dropped_total", 0
    )
    result["frames_dropped"] = dropped
    # Per frame published: one the rate cap dropped is neither encoded nor sent.
    published = captured - dropped
    if published:
        result["encodes_per_frame"] = round(encoded / published, 3)
        result["h264_per_frame"] = round(video / published, 3)
    result["passed"] = bool(
        result["ready"] == viewers and result["alive"] == viewers and result["fps_min"] >= PASS_FPS
    )
    return result


def idle_cpu(server: Server, seconds: float = 5.0) -> float:
    """Return the server's CPU % of one core over a quiet interval."""
    import time

    cpu0 = server.cpu_seconds()
    time.sleep(seconds)
    return round(100 * (server.cpu_seconds() - cpu0) / seconds, 2)


def off_with_viewers(server: Server, viewers: int = 50, seconds: float = 5.0) -> dict[str, Any]:
    """Connect viewers to a live camera, switch it OFF, and measure the server's CPU."""
    import time

    command = [
        "taskset",
        "-c",
        CLIENT_CPU,
        str(build_loadgen()),
        "127.0.0.1",
        str(server.port),
        server.path,
        str(viewers),
        str(seconds + 4),
        "1",
        "20",
    ]
    if server.header:
        command.append(server.header)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "READY":
            break
    server.set_camera(False)
    time.sleep(2)
    cpu = idle_cpu(server, seconds)
    rest = process.stdout.read()
    process.wait(60)
    result = json.loads(next(line for line in rest.splitlines() if line.startswith("{")))
    return {
        "viewers": viewers,
        "server_cpu_pct": cpu,
        "alive": result["alive"],
        "parts_per_viewer_per_s": result["parts_median"],
    }
