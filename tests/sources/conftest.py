"""Fixtures for source tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.sources import write_clip


@pytest.fixture
def make_clip(tmp_path: Path) -> Callable[..., Path]:
    """Return a factory of clips in the test's tmp dir: make_clip(frames, fps, name=...)."""

    def make(frames: int = 64, fps: float = 25, name: str = "clip.avi") -> Path:
        return write_clip(tmp_path / name, frames, fps)

    return make
