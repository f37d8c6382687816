"""The V4L2 stream: raw frame decoding and closing, as far as a machine without a camera goes."""

from __future__ import annotations

import os
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from livecam.sources.v4l2stream import StreamClosed, V4l2Stream


def _stream(pixel_format: str, width: int, height: int, line: int = 0) -> V4l2Stream:
    stream = V4l2Stream("/dev/null")  # not opened: only the decoding is used
    stream.pixel_format, stream.width, stream.height = pixel_format, width, height
    stream._bytes_per_line = line
    return stream


def test_yuyv_decodes_to_bgr_colours():
    # Y, U, V of BT.601 limited range: white, black, pure red and pure blue, two pixels each.
    pairs = [(235, 128, 128), (16, 128, 128), (81, 90, 240), (41, 240, 110)]
    row = b"".join(bytes([y, u, y, v]) for y, u, v in pairs)
    image = _stream("YUYV", 8, 2).frame(row * 2).image
    assert image.shape == (2, 8, 3)
    expected = [(255, 255, 255), (0, 0, 0), (0, 0, 255), (255, 0, 0)]
    for index, colour in enumerate(expected):
        assert np.abs(image[1, 2 * index].astype(int) - colour).max() <= 6, (index, image[1])


def test_padded_lines_are_cropped():
    # Drivers may pad each line (bytes per line above width * 2): the padding is not picture.
    row = bytes([128, 128] * 4) + b"\xff" * 8
    image = _stream("YUYV", 4, 4, line=16).frame(row * 4).image
    assert image.shape == (4, 4, 3) and np.abs(image.astype(int) - 130).max() <= 6


def test_rgb_frames_come_out_as_bgr():
    rgb = np.array([[[250, 10, 20], [0, 0, 0]]], np.uint8)
    image = _stream("RGB24", 2, 1).frame(rgb.tobytes()).image
    assert image.tolist() == [[[20, 10, 250], [0, 0, 0]]]


def test_formats_the_stream_can_use():
    assert _stream("MJPEG", 2, 2).passes_jpeg
    assert _stream("YUYV", 2, 2).decodable and not _stream("YUYV", 2, 2).passes_jpeg
    assert not _stream("NV12", 2, 2).decodable


def test_a_device_that_is_no_camera_fails_to_start_and_closes_cleanly():
    stream = V4l2Stream("/dev/null")
    with pytest.raises(OSError):
        stream.start(640, 480, 30)
    stream.close()
    stream.close()
    with pytest.raises(StreamClosed):
        stream.read(1.0)


def test_close_from_another_thread_ends_a_read_at_once():
    stream = V4l2Stream("/dev/null")
    stream._capture = SimpleNamespace(close=lambda: None)  # as if streaming: reads wait
    stream._device = _Closable(*os.pipe())  # a device that never becomes readable
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            stream.read(30)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    stream.close()  # before, during or after select: the read ends either way
    thread.join(5)
    assert not thread.is_alive() and isinstance(outcome[0], StreamClosed)


class _Closable(int):
    """An fd that the stream can close like a linuxpy Device."""

    def __new__(cls, fd: int, other: int) -> _Closable:
        obj = super().__new__(cls, fd)
        obj.other = other  # type: ignore[attr-defined]
        return obj

    def close(self) -> None:
        os.close(self)
        os.close(self.other)  # type: ignore[attr-defined]
