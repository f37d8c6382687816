"""A small real filesystem (tmpfs) that tests fill up, for disk-full faults."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of `size` (as mount(8) reads it: "2m") on path; skip without root."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip(
            "mounting a small tmpfs needs root: run as root, or as a user inside "
            "`unshare --user --map-root-user --mount` (there mount -t tmpfs is allowed)"
        )
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], check=True
    )
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(directory: Path, leave: int = 0) -> Path:
    """Fill the filesystem of directory with a ballast file, leaving about `leave` bytes free."""
    ballast = directory / "ballast"
    ballast.write_bytes(b"\0" * max(0, shutil.disk_usage(directory).free - leave))
    return ballast
