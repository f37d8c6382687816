"""'One side 0 keeps the aspect ratio', for every source kind and every rotation.

Each source is opened as the capture worker opens it (the camera's width and height as
CaptureOptions) and its frame goes through the worker's processing; the picture streamed
must have the asked side and the source's aspect ratio, turned for 90° and 270°.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from livecam.capture import processing
from livecam.sources import make_source, parse_source
from livecam.sources.base import CaptureOptions, FrameSource
from tests.support.mjpeg_server import MjpegTestServer, make_jpegs
from tests.support.sources import write_clip

SIZES = [(320, 0), (0, 240), (320, 240), (0, 0)]
ROTATIONS = [0, 90, 180, 270]
WIDE = (320, 180)  # the file and network sources are 16:9, the drawn ones 4:3: both must hold


@contextlib.contextmanager
def source_of(kind: str, tmp_path: Path, options: CaptureOptions) -> Iterator[FrameSource]:
    """Yield an open source of this kind (network ones served by a local MJPEG server)."""
    if kind in ("pattern", "scene"):
        text = "pattern:" if kind == "pattern" else "scene:motion"
        with make_source(parse_source(text), options) as source:
            yield source
    elif kind == "file":
        clip = write_clip(tmp_path / "wide.avi", 8, 25, size=WIDE)
        with make_source(parse_source(f"file:{clip}"), options) as source:
            yield source
    else:
        with MjpegTestServer(make_jpegs(3, *WIDE), fps=30) as upstream:
            text = f"mjpeg+{upstream.url}" if kind == "mjpeg" else upstream.url
            with make_source(parse_source(text), options) as source:
                yield source


def streamed_size(source: FrameSource, width: int, height: int, rotation: int) -> tuple[int, int]:
    """Return the size of the picture the worker streams for the source's next frame."""
    raw = source.read()
    if not processing.needs_processing(raw.width, raw.height, width, height, rotation):
        return raw.width, raw.height
    image = raw.image if raw.image is not None else processing.decode(raw.jpeg or b"")
    out = processing.process(image, width, height, rotation)
    return out.shape[1], out.shape[0]


def expected(native: tuple[int, int], width: int, height: int, rotation: int) -> tuple[int, int]:
    """Width and height are the picture before rotation; a 0 side follows the aspect ratio."""
    w, h = native
    if width and height:
        w, h = width, height
    elif width:
        w, h = width, round(h * width / w)
    elif height:
        w, h = round(w * height / h), height
    return (h, w) if rotation in (90, 270) else (w, h)


@pytest.mark.parametrize("kind", ["pattern", "scene", "file", "mjpeg", "url"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_one_side_zero_keeps_the_aspect_ratio(
    kind: str, width: int, height: int, tmp_path: Path
) -> None:
    native = (640, 480) if kind in ("pattern", "scene") else WIDE
    with source_of(kind, tmp_path, CaptureOptions(width=width, height=height)) as source:
        for rotation in ROTATIONS:
            got = streamed_size(source, width, height, rotation)
            assert got == expected(native, width, height, rotation), (kind, rotation)
