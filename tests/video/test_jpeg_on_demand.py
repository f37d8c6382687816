"""A camera watched only in H.264 costs no JPEG encode; snapshots and MJPEG still get theirs."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.support.metrics import read_metrics
from tests.support.mjpeg import StreamReader
from tests.support.mp4 import Mp4Stream
from tests.support.server import LivecamServer
from tests.video.test_stream_mp4 import add_pattern, live

CAPTURED = "livecam_frames_captured_total"
ENCODED = "livecam_frames_encoded_total"
H264 = "livecam_video_frames_encoded_total"


def counters(server: LivecamServer, camera_id: str) -> dict[str, float]:
    """Return the capture counters of one camera."""
    with server.api() as client:
        values = read_metrics(client)
    return {name: values.get((name, camera_id), 0.0) for name in (CAPTURED, ENCODED, H264)}


def test_h264_viewers_alone_cost_no_jpeg_encode(server: LivecamServer, camera_id: str):
    add_pattern(server, camera_id)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        live(stream, 5)  # the viewer is counted in: capture knows nobody wants the JPEG
        before = counters(server, camera_id)
        live(stream, 20)
        after = counters(server, camera_id)
        captured = after[CAPTURED] - before[CAPTURED]
        assert captured >= 15
        assert after[H264] - before[H264] >= captured - 1, "H.264 encodes every frame"
        assert after[ENCODED] == before[ENCODED], "no JPEG encode while only H.264 is watched"

        # A snapshot still gets the newest picture: its JPEG is made when asked for, once.
        with server.api() as client:
            snapshot = client.get(f"/cameras/{camera_id}/snapshot.jpg")
        assert snapshot.status_code == 200
        assert snapshot.headers["content-type"] == "image/jpeg"
        picture = Image.open(io.BytesIO(snapshot.content))
        assert picture.size == (320, 240)
        picture.load()  # decodes the whole JPEG: a truncated one raises
        taken = counters(server, camera_id)
        assert 1 <= taken[ENCODED] - after[ENCODED] <= 2  # the snapshot's (+ a frame's race)

        # An MJPEG viewer beside it: capture encodes every frame again, at once.
        with (
            httpx.Client(
                base_url=server.base_url, headers=server.auth_headers(), timeout=10
            ) as client,
            client.stream("GET", f"/cameras/{camera_id}/stream.mjpg") as mjpeg,
        ):
            reader = StreamReader(mjpeg.iter_raw())
            reader.parts(3)
            start = counters(server, camera_id)
            parts = reader.parts(15)
            live(stream, 1)  # keep the H.264 viewer read
            end = counters(server, camera_id)
    assert len({part.timestamp for part in parts}) >= 10, "MJPEG got live frames"
    mjpeg_captured = end[CAPTURED] - start[CAPTURED]
    # The two counters are bumped a few statements apart: a scrape may split one frame.
    assert abs((end[ENCODED] - start[ENCODED]) - mjpeg_captured) <= 1
