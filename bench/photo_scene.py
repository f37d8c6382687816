"""A natural moving scene from a real photograph: a slow pan and zoom with sensor-like noise.

The photograph is one of scikit-image's samples (`skimage.data`, installed by the ``bench``
extra). Each frame is a crop of it that drifts and breathes in and out, resized to the output
size, with per-pixel Gaussian noise (standard deviation 2 levels, as a small sensor adds) and a little
brightness flicker. Deterministic: frame ``i`` is the same on every run.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage

Image = npt.NDArray[np.uint8]
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")


def photo(name: str = "astronaut") -> Image:
    """Return a scikit-image sample photograph as BGR."""
    from skimage import data

    if name not in PHOTOS:
        raise ValueError(f"unknown photograph {name!r} (one of {', '.join(PHOTOS)})")
    rgb = getattr(data, name)()
    return np.ascontiguousarray(rgb[:, :, ::-1])


class PhotoScene:
    """Frames of a panned and zoomed photograph at ``width`` x ``height``."""

    def __init__(
        self, width: int, height: int, fps: float = 30.0, name: str = "astronaut", seed: int = 7
    ) -> None:
        self.width, self.height, self.fps = width, height, fps
        source = photo(name)
        # Scale the photograph so the widest crop (zoomed out) still fits inside it.
        scale = 1.35 * max(width / source.shape[1], height / source.shape[0])
        size = (round(source.shape[1] * scale), round(source.shape[0] * scale))
        self._photo = PILImage.fromarray(source).resize(size, PILImage.Resampling.BICUBIC)
        rng = np.random.default_rng(seed)
        self._noise = [rng.normal(0, 2.0, (height, width, 3)).astype(np.float32) for _ in range(16)]

    def clean(self, index: int) -> Image:
        """Return frame ``index`` without noise (the reference the SSIM is measured against)."""
        return np.clip(self._view(index), 0, 255).astype(np.uint8)

    def frame(self, index: int) -> Image:
        """Return frame ``index`` as a camera would deliver it (with noise)."""
        view = self._view(index) + self._noise[index % len(self._noise)]
        return np.clip(view, 0, 255).astype(np.uint8)

    def _view(self, index: int) -> npt.NDArray[np.float32]:
        t = index / self.fps
        pw, ph = self._photo.size
        zoom = 1.0 + 0.12 * math.sin(2 * math.pi * t / 8)  # in and out every 8 s
        cw, ch = self.width * 1.2 / zoom, self.height * 1.2 / zoom
        cx = pw / 2 + (pw - cw) / 2 * 0.8 * math.sin(2 * math.pi * t / 12)  # a slow pan
        cy = ph / 2 + (ph - ch) / 2 * 0.6 * math.sin(2 * math.pi * t / 9)
        # Pillow's affine transform maps each output pixel back into the photograph.
        crop = (cw / self.width, 0.0, cx - cw / 2, 0.0, ch / self.height, cy - ch / 2)
        moved = self._photo.transform(
            (self.width, self.height),
            PILImage.Transform.AFFINE,
            crop,
            resample=PILImage.Resampling.BILINEAR,
        )
        view = np.asarray(moved, dtype=np.float32)
        return view * (1.0 + 0.01 * math.sin(2 * math.pi * t * 0.7))
