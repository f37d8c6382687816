"""Append one benchmark run to bench/RESULTS.md: machine, versions, tables and target ratios."""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.measure import WARMUP, WINDOW

_PACKAGES = ["django", "uvicorn", "uvloop", "httptools", "simplejpeg", "pillow", "av"]


def _machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    versions = ", ".join(f"{name} {_version(name)}" for name in _PACKAGES)
    return (
        f"{model}, {cores} cores, Linux {platform.release()}, Python "
        f"{platform.python_version()}; {versions}"
    )


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _table(results: dict[str, Any]) -> list[str]:
    lines = [
        "| system | size | viewers | fps min / p10 / median | parts/s | MB/s | latency p50 / p99 ms "
        "| server CPU % | µs/part | RSS MB | encodes/frame | client CPU % | ≥29 fps |",
        "|---|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for key, sweep in results.items():
        if not isinstance(sweep, dict) or "rows" not in sweep:
            continue
        system, size = ([*key.split("_"), ""])[:2]
        for r in sweep["rows"]:
            lines.append(
                f"| {system} | {size} | {r['viewers']} | {r['fps_min']:.1f} / {r['fps_p10']:.1f} / "
                f"{r['fps_median']:.1f} | {r['parts_per_s']:.0f} | {r['mb_per_s']:.0f} | "
                f"{r['lat_p50_ms']} / {r['lat_p99_ms']} | {r['server_cpu_pct']} | {r['us_per_part']} | "
                f"{r['rss_mb']} | {r.get('encodes_per_frame', '–')} | {r['client_cpu_pct']} | "
                f"{'yes' if r['passed'] else 'no'}{' (2nd try)' if r.get('retried') else ''} |"
            )
    return lines


def _row(sweep: dict[str, Any], viewers: int) -> dict[str, Any] | None:
    return next((r for r in sweep.get("rows", []) if r["viewers"] == viewers), None)


def _targets(results: dict[str, Any]) -> list[str]:
    floor, live, seed = results["floor_640"], results["livecam_640"], results["seed_640"]
    lines = ["| target | measured | met |", "|---|---|---|"]

    def add(name: str, measured: str, ok: bool | None) -> None:
        lines.append(
            f"| {name} | {measured} | {'yes' if ok else 'no' if ok is not None else '–'} |"
        )

    encodes = [r.get("encodes_per_frame") for r in live["rows"] if r.get("encodes_per_frame")]
    add(
        "JPEG encodes per captured frame = 1.00 at every viewer count",
        f"{min(encodes, default=0):.2f}–{max(encodes, default=0):.2f} (tutorial design: one per "
        "viewer per loop)",
        bool(encodes) and all(abs(e - 1) < 0.01 for e in encodes),
    )
    off = results["off_livecam"]["server_cpu_pct"]
    add(
        "idle CPU, camera OFF, 50 viewers < 1 % of a core",
        f"{off} % (tutorial design: {results['off_seed']['server_cpu_pct']} %)",
        off < 1,
    )
    f300, l300 = _row(floor, 300), _row(live, 300)
    if f300 and l300 and f300["us_per_part"] and l300["us_per_part"]:
        ratio = l300["us_per_part"] / f300["us_per_part"]
        add(
            "server CPU per delivered frame at 300 viewers ≤ 1.25 × floor",
            f"{l300['us_per_part']} µs vs {f300['us_per_part']} µs = {ratio:.2f} ×",
            ratio <= 1.25,
        )
    cap_ratio = live["capacity"] / floor["capacity"] if floor["capacity"] else 0
    add(
        "saturation viewers at ≥ 29 fps ≥ 0.8 × floor",
        f"{live['capacity']} vs {floor['capacity']} = {cap_ratio:.2f} ×",
        cap_ratio >= 0.8,
    )
    seed_ratio = live["capacity"] / max(1, seed["capacity"])
    add(
        "viewer capacity ≥ 20 × the tutorial design",
        f"{live['capacity']} vs {seed['capacity']} = {seed_ratio:.0f} ×",
        seed_ratio >= 20,
    )
    f100, l100 = _row(floor, 100), _row(live, 100)
    if f100 and l100:
        delta = l100["lat_p50_ms"] - f100["lat_p50_ms"]
        add(
            "latency p50 at 100 viewers within 5 ms of floor",
            f"{l100['lat_p50_ms']} ms vs {f100['lat_p50_ms']} ms (+{delta:.1f} ms)",
            delta <= 5,
        )
    if l300:
        per_viewer = (l300["rss_mb"] - live["idle"]["rss_mb"]) * 1000 / 300
        add("RSS growth per connected viewer ≤ 64 KB", f"{per_viewer:.0f} KB", per_viewer <= 64)
    relay = results["relay"]["rows"][0]
    add(
        "relay pass-through: encodes per frame = 0",
        f"{relay.get('encodes_per_frame')}",
        relay.get("encodes_per_frame") == 0,
    )
    return lines


def write_report(results: dict[str, Any], path: Path, quick: bool = False) -> None:
    """Append a dated section with the machine, the table and (full runs) the target ratios."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"\n## {'Quick run' if quick else 'Run'} of {now}\n",
        f"Machine: {_machine()}.",
        f"Server pinned to CPU 0, load generator (bench/loadgen.c, epoll) to CPU 1; {WARMUP:g} s "
        f"warm-up, {WINDOW:g} s window; capacity runs on a fresh server; duration "
        f"{results['duration_s']} s.\n",
    ]
    if not quick:
        out += ["### Targets\n", *_targets(results), ""]
        out.append(
            "Capacity (largest N with every viewer ≥ 29 fps): "
            + ", ".join(
                f"{k} {v['capacity']}"
                for k, v in results.items()
                if isinstance(v, dict) and "capacity" in v
            )
        )
        out.append("")
    out += ["### Every run\n", *_table(results), ""]
    if not path.exists():
        path.write_text(
            "# Benchmark results\n\nAppended by `make bench` (`python -m bench.run`).\n"
        )
    with path.open("a") as handle:
        handle.write("\n".join(out) + "\n")
