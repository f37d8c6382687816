"""Dashboard layouts: H.264 per card (stream.mp4) vs MJPEG per card vs the tile stream.

Part 1 (HTTP clients, no browser) reads, for N cameras at once, each camera's
`stream.mp4?width=W`, each camera's `stream.mjpg?width=W`, or one `tiles.mjpg` (the grid's
multiplexed stream, at the rate the dashboard asks for: min(10, 160/N) fps per tile) and
reports bytes and pictures per card and second and the server's CPU. Part 2 opens the real
dashboard in Chromium (H.264 cards, MJPEG cards by the remembered mode picker, the tile grid)
and reports the browser's and the server's CPU and the bytes per card.

    python -m bench.dashboard_video [--seconds 10] [--quick] [--counts 4,12] [--no-report]

The server is pinned to CPU 0 (bench.servers); clients and Chromium run beside it, so CPU
figures are process times of each side, not wall-clock shares of a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import numpy as np
import psutil

from bench.report import _machine
from bench.servers import LivecamServer

HERE = Path(__file__).resolve().parent
WIDTH = 480  # the width a dashboard card asks for on a desktop (player_cards.js / livecam.js)
PASSWORD = "bench-Password-1"  # a throwaway server's admin
TILE_FPS, TILE_BUDGET = 10, 160  # livecam.js's tile-stream rates


def scene_clip(path: Path, width: int = 640, height: int = 480, seconds: int = 10) -> Path:
    """Write a panned and zoomed photo-like picture with sensor noise (MPEG-4 part 2, q≈2).

    A smooth, natural-looking picture (blurred random fields at several scales, like a
    photograph's regions and detail), moving as a handheld camera would: harder for H.264 than
    the test pattern and kinder than pure noise. Not H.264, so livecam encodes it itself.
    """
    from PIL import Image as PILImage

    from livecam.capture.processing import resize

    def cubic(field: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        planes = [
            np.asarray(PILImage.fromarray(field[:, :, c]).resize(size, PILImage.Resampling.BICUBIC))
            for c in range(field.shape[2])
        ]
        return np.stack(planes, axis=2)

    rng = np.random.default_rng(11)
    big = np.zeros((height * 2, width * 2, 3), np.float32)
    for scale, weight in ((64, 90.0), (16, 45.0), (4, 20.0), (1, 8.0)):
        field = rng.normal(0, 1, (height * 2 // scale + 1, width * 2 // scale + 1, 3)).astype(
            np.float32
        )
        big += weight * cubic(field, (width * 2, height * 2))
    big = np.clip(big + 128, 0, 255).astype(np.uint8)
    fps = 15
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.options = {"qscale": "2"}
        stream.codec_context.qmin, stream.codec_context.qmax = 2, 3
        for index in range(seconds * fps):
            t = index / (seconds * fps)
            zoom = 1.0 + 0.25 * np.sin(2 * np.pi * t)
            w, h = int(width * 1.5 / zoom), int(height * 1.5 / zoom)
            x = int((width * 2 - w) * (0.5 + 0.45 * np.sin(2 * np.pi * t * 2)))
            y = int((height * 2 - h) * (0.5 + 0.4 * np.cos(2 * np.pi * t)))
            view = resize(np.ascontiguousarray(big[y : y + h, x : x + w]), (width, height))
            noisy = np.clip(view.astype(np.int16) + rng.integers(-5, 6, view.shape), 0, 255).astype(
                np.uint8
            )
            for packet in stream.encode(av.VideoFrame.from_ndarray(noisy, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


class DashboardServer(LivecamServer):
    """`livecam serve` with `count` cameras c01…cNN of one source, 640x480 at `fps`."""

    name = "dashboard"

    def __init__(self, count: int, source: str, fps: int = 15) -> None:
        super().__init__(640, 480, source)
        self.count, self.fps = count, fps
        self.ids = [f"c{n:02d}" for n in range(1, count + 1)]

    def prepare(self) -> None:
        if self.source.startswith("file:"):  # file sources must lie under the media folder
            media = self.workdir / "media"
            media.mkdir(exist_ok=True)
            clip = Path(self.source[5:])
            (media / clip.name).write_bytes(clip.read_bytes())
            self.source = f"file:{media / clip.name}"
        self._cli("migrate", "--verbosity", "0")
        self._cli("createsuperuser", "--noinput", "--username", "admin", "--email", "")
        specs = [
            {
                "id": cid,
                "label": cid,
                "source": self.source,
                "width": 640,
                "height": 480,
                "fps": self.fps,
                "quality": 80,
            }
            for cid in self.ids
        ]
        code = (
            "import json\nfrom livecam.models import Camera\n"
            f"for s in json.loads({json.dumps(json.dumps(specs))}):\n"
            "    Camera.objects.create(**s)\n"
            "from django.contrib.auth import get_user_model\n"
            "admin = get_user_model().objects.get(username='admin')\n"
            f"admin.set_password({PASSWORD!r})\nadmin.save()\n"
        )
        self._cli("shell", "-c", code)
        self.token = self._cli("token", "create", "admin").split()[-1]

    def after_start(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cams = self._api("GET", "/api/cameras")
            listed = cams if isinstance(cams, list) else cams.get("cameras", [])
            if len(listed) == self.count and all(c.get("online") for c in listed):
                return
            time.sleep(0.3)
        raise RuntimeError("the cameras did not come online")


async def _read(client: Any, url: str, seconds: float, count: dict[str, int]) -> None:
    """Read one endless stream for `seconds`, counting bytes and pictures (mdat / JPEG parts)."""
    marker = b"mdat" if "stream.mp4" in url else b"Content-Length"
    deadline = time.monotonic() + seconds
    async with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {await response.aread()!r}")
        tail = b""
        async for chunk in response.aiter_raw():
            count["bytes"] += len(chunk)
            both = tail + chunk
            count["pictures"] += both.count(marker) - tail.count(marker)
            tail = both[-16:]
            if time.monotonic() > deadline:
                break


def http_layouts(server: DashboardServer, seconds: float) -> list[dict[str, Any]]:
    """Bytes and pictures per card and second, server CPU, for the three ways to fill a grid."""
    import httpx

    n = len(server.ids)
    base = f"http://127.0.0.1:{server.port}"
    tile_fps = max(1, min(TILE_FPS, TILE_BUDGET // n))
    layouts = {
        "H.264 per card": [f"{base}/cameras/{c}/stream.mp4?width={WIDTH}" for c in server.ids],
        "MJPEG per card": [f"{base}/cameras/{c}/stream.mjpg?width={WIDTH}" for c in server.ids],
        f"tile stream ({tile_fps} fps/tile)": [
            f"{base}/cameras/tiles.mjpg?ids={','.join(server.ids)}&width={WIDTH}&fps={tile_fps}"
        ],
    }
    rows = []
    for name, urls in layouts.items():
        counts = [{"bytes": 0, "pictures": 0} for _ in urls]

        async def run(urls: list[str] = urls, counts: list[dict[str, int]] = counts) -> None:
            headers = {"Authorization": f"Bearer {server.token}"}
            async with httpx.AsyncClient(headers=headers, timeout=30) as client:
                # Warm up (encoders start, GOP caches fill), then measure a fresh window.
                await asyncio.gather(
                    *(_read(client, u, 2, {"bytes": 0, "pictures": 0}) for u in urls)
                )
                await asyncio.gather(
                    *(_read(client, u, seconds, c) for u, c in zip(urls, counts, strict=True))
                )

        cpu0, t0 = server.cpu_seconds(), time.monotonic()
        asyncio.run(run())
        wall = time.monotonic() - t0
        cpu = (server.cpu_seconds() - cpu0) / wall  # includes the 2 s warm-up: an upper bound
        total_bytes = sum(c["bytes"] for c in counts)
        pictures = sum(c["pictures"] for c in counts)
        rows.append(
            {
                "cameras": n,
                "layout": name,
                "connections": len(urls),
                "kbit_per_card": total_bytes * 8 / 1000 / seconds / n,
                "fps_per_card": pictures / seconds / n,
                "bytes_per_picture": total_bytes / max(1, pictures),
                "server_cpu_pct": cpu * 100,
            }
        )
    return rows


def _browser_cpu(root: psutil.Process) -> float:
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def browser_layouts(
    server: DashboardServer, seconds: float, modes: list[str]
) -> list[dict[str, Any]]:
    """CPU of Chromium and the server while the real dashboard shows every camera."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import ARGS, CHROMIUM

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        me = psutil.Process()
        chrome = next(p for p in me.children(recursive=True) if "chrom" in p.name().lower())
        for mode in modes:
            context = browser.new_context(viewport={"width": 1440, "height": 1400})
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.port}/login/")
            page.evaluate(f"() => localStorage.setItem('livecam.video', {mode!r})")
            page.locator("#id_username").fill("admin")
            page.locator("#id_password").fill(PASSWORD)
            page.locator("form.stack button[type=submit]").click()
            page.wait_for_url(f"http://127.0.0.1:{server.port}/", wait_until="domcontentloaded")
            layout = page.locator("#cameras").get_attribute("data-mode")
            # Every card playing (H.264 started or fallen back; the grid's tiles showing).
            ready = (
                "() => window.livecamCards && Object.values(window.livecamCards).every(s => s.mode)"
                if layout == "stream"
                else "() => [...document.querySelectorAll('article.camera')].every(c => c.dataset.frames)"
            )
            page.wait_for_function(ready, timeout=30_000)
            time.sleep(1)  # past the start (first GOPs, seeks to the live edge)
            played = page.evaluate(
                "() => window.livecamCards ? Object.values(window.livecamCards).map(s => s.mode) : []"
            )
            frames0 = page.evaluate(_FRAMES)
            b0, s0, t0 = _browser_cpu(chrome), server.cpu_seconds(), time.monotonic()
            sent0 = _bytes_sent(server)
            time.sleep(seconds)
            wall = time.monotonic() - t0
            rows.append(
                {
                    "cameras": server.count,
                    "layout": layout,
                    "mode": mode,
                    "played": played,
                    "browser_cpu_pct": (_browser_cpu(chrome) - b0) / wall * 100,
                    "server_cpu_pct": (server.cpu_seconds() - s0) / wall * 100,
                    "kbit_per_card": (_bytes_sent(server) - sent0) * 8 / 1000 / wall / server.count,
                    "fps_per_card": (page.evaluate(_FRAMES) - frames0) / wall / server.count,
                }
            )
            context.close()
        browser.close()
    return rows


# Pictures shown on the page: H.264 frames presented plus MJPEG tile pictures; an MJPEG card
# streamed by its <img> is not countable from the page (shown as 0 frames).
_FRAMES = """() => {
  const cards = window.livecamCards ? Object.values(window.livecamCards) : [];
  const video = cards.reduce((n, s) => n + (s.framesPresented || 0), 0);
  const tiles = [...document.querySelectorAll('article.camera')].reduce((n, c) => n + Number(c.dataset.frames || 0), 0);
  return video + tiles;
}"""


def _bytes_sent(server: DashboardServer) -> float:
    """Sum livecam_bytes_sent_total over cameras and formats from /metrics."""
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/metrics",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        text = response.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("livecam_bytes_sent_total{")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--quick", action="store_true", help="the pattern scene only")
    parser.add_argument("--counts", default="4,12", help="camera counts, comma-separated")
    parser.add_argument("--no-report", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    seconds = args.seconds
    folder = tempfile.TemporaryDirectory(prefix="bench-dash-")
    clip = scene_clip(Path(folder.name) / "scene.mkv")
    scenes = (
        {"pattern": "pattern:"}
        if args.quick
        else {"pattern": "pattern:", "photo-like pan": f"file:{clip}"}
    )
    http_rows, browser_rows = [], []
    for scene, source in scenes.items():
        for count in [int(n) for n in args.counts.split(",")]:
            server = DashboardServer(count, source)
            server.start()
            try:
                for row in http_layouts(server, seconds):
                    http_rows.append({"scene": scene, **row})
                    print(json.dumps(http_rows[-1]), flush=True)
                if scene == "pattern":
                    modes = ["auto", "mjpeg"] if count == 4 else ["auto"]
                    for row in browser_layouts(server, seconds, modes):
                        browser_rows.append({"scene": scene, **row})
                        print(json.dumps(browser_rows[-1]), flush=True)
            finally:
                server.stop()
    if not args.no_report:
        report(http_rows, browser_rows, seconds)


def report(
    http_rows: list[dict[str, Any]], browser_rows: list[dict[str, Any]], seconds: float
) -> None:
    """Append the tables to bench/RESULTS.md."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## Dashboard layouts: H.264 cards vs MJPEG cards vs the tile stream ({now})",
        "",
        f"`python -m bench.dashboard_video` on {_machine()}; {seconds:g} s windows, cameras 640x480 at 15 fps,"
        f" quality 80, cards at width {WIDTH}; server pinned to CPU 0, clients beside it.",
        "",
        "| scene | cameras | layout | connections | kbit/s per card | pictures/s per card | bytes/picture | server CPU % |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in http_rows:
        lines.append(
            f"| {r['scene']} | {r['cameras']} | {r['layout']} | {r['connections']} | {r['kbit_per_card']:.0f} |"
            f" {r['fps_per_card']:.1f} | {r['bytes_per_picture']:.0f} | {r['server_cpu_pct']:.0f} |"
        )
    lines += [
        "",
        "Chromium (headless, no GPU) showing the real dashboard, 1440x1400 (every card in view):",
        "",
        "| cameras | layout | mode picked | cards played | browser CPU % | server CPU % | kbit/s per card (server metrics) |",
        "|---:|---|---|---|---:|---:|---:|",
    ]
    for r in browser_rows:
        played = ", ".join(sorted(set(r["played"]))) or "tiles"
        lines.append(
            f"| {r['cameras']} | {r['layout']} | {r['mode']} | {played} | {r['browser_cpu_pct']:.0f} |"
            f" {r['server_cpu_pct']:.0f} | {r['kbit_per_card']:.0f} |"
        )
    with (HERE / "RESULTS.md").open("a") as results:
        results.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
