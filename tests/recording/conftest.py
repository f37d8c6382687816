"""A server that records continuously in 2-second segments, shared by this folder's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.server import LivecamServer

SEGMENT_SECONDS = 2.0


@pytest.fixture(scope="module")
def rec_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivecamServer]:
    """A running server with short segments and no free-space floor (tests fill little)."""
    instance = LivecamServer(
        tmp_path_factory.mktemp("rec"),
        settings={"SEGMENT_SECONDS": SEGMENT_SECONDS, "MEDIA_MIN_FREE_GB": 0},
    )
    instance.start()
    yield instance
    instance.stop()
