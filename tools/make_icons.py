"""Draw the app icons (PNG) of the web app manifest from the favicon's shapes, with Pillow.

Run once after changing the design: ``python tools/make_icons.py``; the PNGs are committed.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "livecam" / "static" / "livecam" / "icons"
BLUE, WHITE, RED = (31, 111, 235), (255, 255, 255), (248, 81, 73)


def draw(size: int, maskable: bool) -> Image.Image:
    """Return the icon at ``size`` pixels; maskable icons keep the drawing in the safe zone."""
    scale = 4  # drawn large and scaled down: smooth edges without an SVG renderer
    big = size * scale
    image = Image.new("RGB" if maskable else "RGBA", (big, big), BLUE if maskable else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = big / 32 * (0.7 if maskable else 1.0)  # maskable: the inner 70 % is always shown
    offset = (big - 32 * unit) / 2
    if not maskable:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=int(7 * unit), fill=BLUE)

    def circle(cx: float, cy: float, r: float, colour: tuple[int, int, int]) -> None:
        x, y = offset + cx * unit, offset + cy * unit
        pen.ellipse((x - r * unit, y - r * unit, x + r * unit, y + r * unit), fill=colour)

    circle(16, 16, 8, WHITE)
    circle(16, 16, 4, BLUE)
    circle(25, 7, 3, RED)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write icon-192.png, icon-512.png and icon-maskable-512.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, False).save(OUT / "icon-192.png", optimize=True)
    draw(512, False).save(OUT / "icon-512.png", optimize=True)
    draw(512, True).save(OUT / "icon-maskable-512.png", optimize=True)
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
