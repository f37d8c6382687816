"""Serving H.264 (stream.mp4) vs MJPEG (stream.mjpg) from one livecam server, interleaved.

    python -m bench.h264_serve [--rounds 3] [--viewers 300] [--ladder 600,900,1200]
    python -m bench.h264_serve --limits [--rounds 5]    # issue 19: request limits on vs off
    python -m bench.h264_serve --marginal --ladder "" --encodes ""   # per frame vs per viewer

One `livecam serve` (pinned to CPU 0) with one 640x480@30 camera; bench/loadgen.c on CPU 1
reads either stream (it frames MP4 fragments by their boxes and dates them by their prft).
Each round measures MJPEG then H.264 on the same server, so a busy machine hits both alike.
Server CPU includes capture: the JPEG encode for MJPEG, the H.264 encode (only while someone
watches stream.mp4) for H.264. Sources: the pattern, and the photo scene (`bench.photo_scene`)
as an H.264 file played by a `file:` camera, twice: fit for pass-through (0 encodes), and with
B-frames (decoded, then JPEG- or H.264-encoded: the case of most IP cameras' recordings).
``--ladder`` measures capacity (a fresh server per level) for the pattern and, unless
``--no-photo``, the re-encoded photo scene.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import build_loadgen, run_viewers
from bench.servers import LivecamServer

MJPEG = "/cameras/cam/stream.mjpg"
MP4 = "/cameras/cam/stream.mp4"


class PlainLivecamServer(LivecamServer):
    """livecam without the request limits (uvicorn's own httptools protocol)."""

    name = "livecam-plain"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "bench.plain_serve", "serve", "--port", str(self.port)]


def write_photo_clip(
    path: Path, seconds: float = 20.0, fps: float = 30.0, bframes: bool = False
) -> Path:
    """Write the photo scene as a 640x480 H.264 file: fit for pass-through, or with B-frames.

    With B-frames (as many cameras and most recordings have them) livecam decodes the file
    and re-encodes it, for MJPEG and for H.264 alike.
    """
    import av

    from bench.photo_scene import PhotoScene

    scene = PhotoScene(640, 480, fps)
    options = {"preset": "superfast", "tune": "zerolatency", "g": "30", "crf": "23"}
    if bframes:
        options = {"preset": "superfast", "bf": "2", "g": "30", "crf": "23"}
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=round(fps))
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        stream.options = options
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(scene.frame(index), format="bgr24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def photo_server(clip: Path) -> LivecamServer:
    """Return a server (not started) whose camera plays a copy of ``clip``."""
    server = LivecamServer()
    media = server.workdir / "media"  # file sources must lie under the data dir's media/
    media.mkdir(parents=True, exist_ok=True)
    target = media / "photo.mp4"
    shutil.copyfile(clip, target)
    server.source = f"file:{target}"
    return server


def once(server: LivecamServer, path: str, viewers: int, window: float) -> dict[str, Any]:
    server.path = path
    row = run_viewers(server, viewers, window=window)
    row["viewers"] = viewers
    row["format"] = "mp4" if path.endswith(".mp4") else "mjpeg"
    return row


def log(label: str, row: dict[str, Any]) -> None:
    print(
        f"{label:>22} {row['format']:>5} N={row['viewers']:<5} fps min {row['fps_min']:5.1f} "
        f"cpu {row['server_cpu_pct']:5.1f}% µs/part {row['us_per_part']} "
        f"lat p50 {row['lat_p50_ms']} ms kbit/s/viewer "
        f"{row['mb_per_s'] * 8000 / max(1, row['viewers']):.0f} "
        f"h264/frame {row.get('h264_per_frame')} jpeg/frame {row.get('encodes_per_frame')} "
        f"dropped {row.get('frames_dropped')} "
        f"{'pass' if row['passed'] else 'FAIL'}",
        flush=True,
    )


def _measure(
    server: LivecamServer, label: str, cases: list[tuple[str, int]], window: float
) -> list:
    """Measure each (path, viewers) case in turn on one server, logging every row."""
    rows = []
    for path, viewers in cases:
        row = once(server, path, viewers, window)
        row["label"] = label
        rows.append(row)
        log(label, row)
    return rows


def compare(
    server: LivecamServer,
    label: str,
    rounds: int,
    viewers: int,
    window: float,
    marginal: bool = False,
) -> list:
    counts = (1, viewers) if marginal else (viewers,)
    cases = [(path, n) for _ in range(rounds) for path in (MJPEG, MP4) for n in counts]
    rows = _measure(server, label, cases, window)
    if marginal:
        report_marginal(label, rows, viewers)
    return [row for row in rows if row["viewers"] == viewers]


def report_marginal(label: str, rows: list[dict[str, Any]], viewers: int) -> None:
    """Log each format's CPU per frame at one viewer and per additional part up to `viewers`.

    Splits the server's CPU into what a frame costs whoever watches (capture, encode) and what
    each more viewer's part costs (the send path), from the medians at 1 and at `viewers`.
    """
    for fmt in ("mjpeg", "mp4"):
        # Per count: CPU (cores busy) and parts per second, from the medians of the rounds.
        cpu, parts = {}, {}
        for n in (1, viewers):
            mine = [r for r in rows if r["format"] == fmt and r["viewers"] == n]
            cpu[n] = statistics.median(r["server_cpu_pct"] for r in mine) / 100
            parts[n] = cpu[n] * 1e6 / statistics.median(r["us_per_part"] for r in mine)
        extra = (cpu[viewers] - cpu[1]) * 1e6 / (parts[viewers] - parts[1])
        print(
            f"{label:>22} {fmt:>5} per frame at 1 viewer {cpu[1] * 1000 / parts[1]:.2f} ms, "
            f"per additional part up to {viewers} viewers {extra:.2f} µs",
            flush=True,
        )


def encodes_ladder(server: LivecamServer, label: str, counts: list[int], window: float) -> list:
    return _measure(server, label, [(MP4, n) for n in counts], window)


def capacity(label: str, make: Any, ladder: list[int], window: float) -> list:
    """Each level on a fresh server, MJPEG then H.264 (stop a format at its first failure)."""
    rows, failed = [], set()
    for n in ladder:
        for path in (MJPEG, MP4):
            if path in failed:
                continue
            server = make()
            server.start()
            try:
                time.sleep(1)
                row = once(server, path, n, window)
            finally:
                server.stop()
            row["label"] = label + " capacity"
            rows.append(row)
            log(row["label"], row)
            if not row["passed"]:
                failed.add(path)
    return rows


def summary(rows: list[dict[str, Any]]) -> None:
    """Print the medians of each (label, format) at the compared viewer count."""
    groups: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        if "capacity" in row["label"] or row["us_per_part"] is None:
            continue
        groups.setdefault((row["label"], row["format"]), []).append(row["us_per_part"])
    for (label, fmt), values in groups.items():
        print(
            f"{label:>22} {fmt:>5} µs/part median {statistics.median(values):.1f} "
            f"(runs {', '.join(f'{v:.1f}' for v in values)})"
        )
    caps: dict[str, int] = {}
    for row in rows:
        if "capacity" in row["label"] and row["passed"]:
            key = f"{row['label']} {row['format']}"
            caps[key] = max(caps.get(key, 0), row["viewers"])
    for key, value in caps.items():
        print(f"{key}: {value} viewers at >= 29 fps (largest level passed)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--viewers", type=int, default=300)
    parser.add_argument("--window", type=float, default=4.0)
    parser.add_argument("--ladder", default="600,900,1200,1500")
    parser.add_argument("--encodes", default="1,10,100,1000")
    parser.add_argument("--limits", action="store_true", help="MJPEG with the limits on vs off")
    parser.add_argument("--no-photo", action="store_true")
    parser.add_argument(
        "--marginal",
        action="store_true",
        help="also measure 1 viewer per round: CPU per frame vs per additional part",
    )
    args = parser.parse_args(argv)
    # A SIGTERM must unwind through the `finally` blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    build_loadgen()
    rows: list[dict[str, Any]] = []
    if args.limits:
        servers = {"limits on": LivecamServer(), "limits off": PlainLivecamServer()}
        for server in servers.values():
            server.start()
        try:
            for _ in range(args.rounds):
                for label, server in servers.items():
                    server.path = MJPEG
                    row = once(server, MJPEG, args.viewers, args.window)
                    row["label"] = label
                    rows.append(row)
                    log(label, row)
        finally:
            for server in servers.values():
                server.stop()
        summary(rows)
        return 0
    server = LivecamServer()
    server.start()
    try:
        rows += compare(server, "pattern", args.rounds, args.viewers, args.window, args.marginal)
        if args.encodes:
            counts = [int(n) for n in args.encodes.split(",")]
            rows += encodes_ladder(server, "pattern encodes", counts, args.window)
    finally:
        server.stop()
    clips: dict[str, Path] = {}
    if not args.no_photo:
        folder = Path(tempfile.mkdtemp(prefix="bench-photo-"))
        for label, bframes in (("photo pass-through", False), ("photo re-encoded", True)):
            clips[label] = write_photo_clip(folder / f"{bframes}.mp4", bframes=bframes)
            server = photo_server(clips[label])
            server.start()
            try:
                rows += compare(
                    server, label, args.rounds, args.viewers, args.window, args.marginal
                )
                rows += encodes_ladder(server, f"{label} encodes", [1, 100], args.window)
            finally:
                server.stop()
    if args.ladder:
        ladder = [int(n) for n in args.ladder.split(",")]
        rows += capacity("pattern", LivecamServer, ladder, args.window)
        if "photo re-encoded" in clips:
            clip = clips["photo re-encoded"]
            rows += capacity("photo re-encoded", lambda: photo_server(clip), ladder, args.window)
    summary(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
