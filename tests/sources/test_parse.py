"""Parsing and validating source strings: the allow-list and its canonical forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecam.sources import make_source, parse_source, redact, validate_source
from livecam.sources.base import CaptureOptions, SourceError, SourceSpec


@pytest.mark.parametrize(
    ("text", "kind", "target"),
    [
        ("pattern:", "pattern", ""),
        ("device:0", "device", "/dev/video0"),
        ("device:/dev/video12", "device", "/dev/video12"),
        (
            "device:/dev/v4l/by-id/usb-Logitech_C920-video-index0",
            "device",
            "/dev/v4l/by-id/usb-Logitech_C920-video-index0",
        ),
        ("file:/srv/clips/a.mp4", "file", "/srv/clips/a.mp4"),
        ("file:/srv//clips/./a.mp4", "file", "/srv/clips/a.mp4"),
        ("rtsp://user:pw@10.0.0.5:554/stream1", "url", "rtsp://user:pw@10.0.0.5:554/stream1"),
        ("http://cam.local/video?x=1&y=2", "url", "http://cam.local/video?x=1&y=2"),
        (
            "mjpeg+http://127.0.0.1:8080/?action=stream",
            "mjpeg",
            "http://127.0.0.1:8080/?action=stream",
        ),
        ("mjpeg+https://cam.example.org/stream", "mjpeg", "https://cam.example.org/stream"),
    ],
)
def test_accepted_forms(text: str, kind: str, target: str):
    spec = parse_source(text)
    assert (spec.kind, spec.target) == (kind, target)
    assert parse_source(str(spec)) == spec


@pytest.mark.parametrize(
    "text",
    [
        "",
        "exec:ls",
        "exec:/bin/sh -c id",
        "$(id)",
        "`id`",
        "pattern:; rm -rf /",
        "file:///etc/passwd",
        "file:../etc/passwd",
        "file:/srv/../etc/passwd",
        "file:relative.mp4",
        "http://",
        "http://:80/x",
        "http://host:99999/",
        "ftp://example.com/x",
        "pipe:0",
        "device:/dev/sda",
        "device:/etc/passwd",
        "device:1234",
        "pattern:extra",
        "http://example.com/a b",
        "http://exa\u0430mple.com/",
        "file:/x\x00.mp4",
        "http://example.com/|id",
        "echo:hello",
        "mjpeg+ftp://x/",
        "{url: http://x}",
    ],
)
def test_rejected_forms(text: str):
    with pytest.raises(SourceError):
        parse_source(text)


@given(st.text(max_size=80))
def test_parse_raises_only_source_errors(text: str):
    try:
        spec = parse_source(text)
    except SourceError:
        return
    assert parse_source(str(spec)) == spec


def test_validate_checks_files_and_allowed_dirs(tmp_path):
    clip = tmp_path / "clip.mp4"
    with pytest.raises(SourceError, match="file not found"):
        validate_source(f"file:{clip}")
    clip.write_bytes(b"x")
    assert validate_source(f"file:{clip}").target == str(clip)
    other = tmp_path / "allowed"
    other.mkdir()
    with pytest.raises(SourceError, match="must be under"):
        validate_source(f"file:{clip}", file_dirs=[other])
    link = other / "link.mp4"
    link.symlink_to(clip)  # a link out of the allowed directory does not get through
    with pytest.raises(SourceError, match="must be under"):
        validate_source(f"file:{link}", file_dirs=[other])


def test_redact_hides_credentials():
    assert redact("rtsp://user:secret@10.0.0.5:554/s") == "rtsp://***@10.0.0.5:554/s"
    assert redact("http://cam/x") == "http://cam/x"


def test_make_source_uses_the_registry():
    spec = SourceSpec("pattern", "")
    source = make_source(spec, CaptureOptions(), {"pattern": "livecam.sources.file.FileSource"})
    assert type(source).__name__ == "FileSource"
    with pytest.raises(SourceError):
        make_source(SourceSpec("nope", ""), CaptureOptions())
