"""Parsing and validating source strings: the allow-list, its canonical forms, the registry."""

from __future__ import annotations

import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecam.sources import FORMS, make_source, parse_source, redact, validate_source
from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec
from livecam.sources.pattern import PatternSource
from tests.support.server import ROOT


@pytest.mark.parametrize(
    ("text", "kind", "target"),
    [
        ("pattern:", "pattern", ""),
        ("PATTERN:", "pattern", ""),
        ("device:0", "device", "/dev/video0"),
        ("device:007", "device", "/dev/video7"),
        ("device:/dev/video12", "device", "/dev/video12"),
        (
            "device:/dev/v4l/by-id/usb-Logitech_C920-video-index0",
            "device",
            "/dev/v4l/by-id/usb-Logitech_C920-video-index0",
        ),
        (
            "device:/dev/v4l/by-path/pci-0000:00:14.0-usb-0:1:1.0-video-index0",
            "device",
            "/dev/v4l/by-path/pci-0000:00:14.0-usb-0:1:1.0-video-index0",
        ),
        ("file:/srv/clips/a.mp4", "file", "/srv/clips/a.mp4"),
        ("file:/srv//clips/./a.mp4", "file", "/srv/clips/a.mp4"),
        ("rtsp://user:pw@10.0.0.5:554/stream1", "url", "rtsp://user:pw@10.0.0.5:554/stream1"),
        ("rtsps://cam.example.org/live", "url", "rtsps://cam.example.org/live"),
        ("HTTP://Cam.Local/video?x=1&y=2#top", "url", "http://cam.local/video?x=1&y=2"),
        ("https://[::1]:8443/v", "url", "https://[::1]:8443/v"),
        ("http://u:p%40ss@cam/", "url", "http://u:p%40ss@cam/"),
        (
            "mjpeg+http://127.0.0.1:8080/?action=stream",
            "mjpeg",
            "http://127.0.0.1:8080/?action=stream",
        ),
        ("MJPEG+HTTPS://cam.example.org/stream", "mjpeg", "https://cam.example.org/stream"),
    ],
)
def test_accepted_forms(text: str, kind: str, target: str):
    spec = parse_source(text)
    assert (spec.kind, spec.target) == (kind, target)
    assert parse_source(str(spec)) == spec


ATTACKS = [
    "",
    "exec:ls",
    "exec:/bin/sh -c id",
    "$(id)",
    "pattern:$(id)",
    "`id`",
    "file:/tmp/`id`.mp4",
    "pattern:; rm -rf /",
    "file:/tmp/a.mp4;id",
    "file:/tmp/a.mp4|id",
    "http://example.com/|id",
    "http://example.com/a>b",
    "file:/tmp/a'b.mp4",
    'file:/tmp/a"b.mp4',
    "file:/tmp/a\\b.mp4",
    "file:///etc/passwd",
    "file://etc/passwd",
    "file:../etc/passwd",
    "file:/srv/../etc/passwd",
    "file:/srv/clips/..",
    "file:relative.mp4",
    "file:",
    "file:/",
    "http://",
    "https:///path",
    "http://:80/x",
    "http://@cam/",
    "http://a@b@cam/",
    "http://host:0/",
    "http://host:99999/",
    "http://host:-1/",
    "http://host:+80/",
    "http://host:8o/",
    "http://host:80:81/",
    "http://-host/",
    "http://exa..mple/",
    "http://[zz::1]/",
    "http://[::1/",
    "http://user:p%zz@cam/",
    "ftp://example.com/x",
    "gopher://example.com/",
    "pipe:0",
    "concat:/a.mp4|/b.mp4",
    "data:text/plain,hi",
    "echo:hello",
    "mjpeg+ftp://x/",
    "mjpeg+file:/tmp/a.mp4",
    "mjpeg:http://x/",
    "device:/dev/sda",
    "device:/etc/passwd",
    "device:/dev/video0/../sda",
    "device:/dev/v4l/by-id/..",
    "device:/dev/v4l/by-id/../../sda",
    "device:1234",
    "device:-1",
    "device:",
    "pattern:extra",
    " pattern:",
    "pattern: ",
    "pattern:\n",
    "device:0\n",
    "\tfile:/x.mp4",
    "http://example.com/a b",
    "file:/x\x00.mp4",
    "http://exa\u0430mple.com/",  # Cyrillic a
    "\uff48ttp://example.com/",  # fullwidth h
    "pattern\uff1a",  # fullwidth colon
    "file:/x\u200b.mp4",  # zero-width space
    "device:\u0660",  # Arabic-Indic digit zero
    "{url: http://x}",
    "x" * 5000,
]


@pytest.mark.parametrize("text", ATTACKS)
def test_rejected_forms(text: str):
    with pytest.raises(SourceError):
        parse_source(text)


def test_unknown_kinds_name_the_accepted_forms():
    with pytest.raises(SourceError) as failure:
        parse_source("exec:ls")
    assert str(failure.value) == f"unknown source kind 'exec'; use {FORMS}"
    assert "file:/path" in FORMS and "mjpeg+http(s)://" in FORMS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scene:motion?at=abc", "scene parameter 'at' must be a number from 0 to 3600"),
        ("scene:motion?gain=99", "scene parameter 'gain' must be a number from"),
        ("scene:motion?when=1", "scene parameter 'when' must be one of at, for, gain, size"),
    ],
)
def test_scene_errors_say_whether_the_name_or_the_value_is_wrong(text: str, message: str):
    with pytest.raises(SourceError, match=message):
        parse_source(text)


def test_messages_never_show_credentials():
    for text in ("http://user:topsecret@host:99999/", "ftp://user:topsecret@host/"):
        with pytest.raises(SourceError) as failure:
            parse_source(text)
        assert "topsecret" not in str(failure.value)


@given(st.text(max_size=80))
def test_any_text_parses_or_raises_source_error(text: str):
    try:
        spec = parse_source(text)
    except SourceError:
        return
    assert parse_source(str(spec)) == spec


_PREFIXES = ["pattern:", "device:", "file:/", "http://", "rtsp://", "mjpeg+https://", "file:"]


@given(st.sampled_from(_PREFIXES), st.text(alphabet=string.printable, max_size=60))
def test_near_misses_parse_or_raise_source_error(prefix: str, rest: str):
    try:
        spec = parse_source(prefix + rest)
    except SourceError:
        return
    assert parse_source(str(spec)) == spec


_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_hosts = st.one_of(
    st.lists(_label, min_size=1, max_size=4).map(".".join),
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t))),
    st.sampled_from(["[::1]", "[fe80::1]", "[2001:db8::7]"]),
)
_urls = st.builds(
    lambda scheme, auth, host, port, path, query: (
        f"{scheme}://{auth}{host}{port}{path}{'?' + query if query else ''}"
    ),
    st.sampled_from(["rtsp", "rtsps", "http", "https", "HTTP", "mjpeg+http", "mjpeg+https"]),
    st.one_of(
        st.just(""),
        st.from_regex(
            r"[A-Za-z0-9._~-]{1,8}(:([A-Za-z0-9._~!-]|%[0-9A-F]{2}){0,8})?@", fullmatch=True
        ),
    ),
    _hosts,
    st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}")),
    st.from_regex(r"(/[A-Za-z0-9._~!()*+,=:@-]{0,10}){0,4}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9=&._-]{0,20}", fullmatch=True),
)
_valid = st.one_of(
    st.just("pattern:"),
    st.integers(0, 999).map(lambda n: f"device:{n}"),
    st.from_regex(r"/dev/v4l/by-(id|path)/[A-Za-z0-9][A-Za-z0-9._:+@-]{0,30}", fullmatch=True).map(
        lambda p: f"device:{p}"
    ),
    st.from_regex(r"(/[A-Za-z0-9_.~+=,@%-]{0,12}){1,5}", fullmatch=True)
    .filter(lambda p: not p.startswith("//"))
    .filter(lambda p: ".." not in p.split("/"))
    .filter(lambda p: os.path.normpath(p) != "/")
    .map(lambda p: f"file:{p}"),
    _urls,
)


@given(_valid)
def test_valid_sources_round_trip_through_their_canonical_form(text: str):
    spec = parse_source(text)
    assert parse_source(str(spec)) == spec
    assert str(parse_source(str(spec))) == str(spec)


# -- validate ----------------------------------------------------------------------------------


def test_validate_checks_that_files_exist_and_are_regular(tmp_path: Path):
    clip = tmp_path / "clip.mp4"
    with pytest.raises(SourceError, match=f"file not found: {clip}"):
        validate_source(f"file:{clip}")
    clip.write_bytes(b"x")
    assert validate_source(f"file:{clip}").target == str(clip)
    with pytest.raises(SourceError, match="not a regular file"):
        validate_source(f"file:{tmp_path}")
    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        validate_source(f"file:{fifo}")


def test_validate_keeps_files_inside_the_allowed_directories(tmp_path: Path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    inside = allowed / "in.mp4"
    inside.write_bytes(b"x")
    outside = tmp_path / "out.mp4"
    outside.write_bytes(b"x")
    assert validate_source(f"file:{inside}", file_dirs=[allowed]).target == str(inside)
    with pytest.raises(SourceError, match="must be under"):
        validate_source(f"file:{outside}", file_dirs=[allowed])
    link = allowed / "link.mp4"
    link.symlink_to(outside)  # a link out of the allowed directory does not get through
    with pytest.raises(SourceError, match="must be under"):
        validate_source(f"file:{link}", file_dirs=[allowed])
    with pytest.raises(SourceError, match="must be under"):  # not probed for existence
        validate_source(f"file:{tmp_path / 'missing.mp4'}", file_dirs=[allowed])
    with pytest.raises(SourceError, match="must be under"):
        validate_source(f"file:{inside}", file_dirs=[])


def test_validate_does_not_require_a_camera_to_be_plugged_in():
    assert validate_source("device:42").target == "/dev/video42"
    assert validate_source("rtsp://cam.invalid/x").kind == "url"


# -- redact ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("rtsp://user:secret@10.0.0.5:554/s", "rtsp://***@10.0.0.5:554/s"),
        ("http://user@cam/x", "http://***@cam/x"),
        ("http://cam/x?a=1", "http://cam/x?a=1"),
        ("http://u:secret@[::1]:80/x", "http://***@[::1]:80/x"),
        ("http://u:secret@cam:notaport/x", "http://***@cam:notaport/x"),
        ("http://u:p@ss@cam/x", "http://***@cam/x"),
        ("http://cam/cgi?user=admin&pwd=secret&x=1", "http://cam/cgi?user=admin&pwd=***&x=1"),
        ("http://cam/a?password=secret", "http://cam/a?password=***"),
        ("not a url", "not a url"),
        ("", ""),
    ],
)
def test_redact_hides_credentials(url: str, shown: str):
    assert redact(url) == shown


@given(st.text(max_size=60), st.text(alphabet=string.ascii_letters, min_size=6, max_size=12))
def test_redact_never_raises_and_hides_passwords(prefix: str, password: str):
    result = redact(f"http://user:{password}@cam/{prefix}")
    assert password not in result.split("@", 1)[0]


# -- make_source -------------------------------------------------------------------------------


class RecordingSource(FrameSource):
    """A plug-in source for the registry test."""

    def open(self) -> None:
        """Open nothing."""

    def read(self) -> SourceFrame:
        """Return a tiny empty frame."""
        return SourceFrame(1, 1)

    def close(self) -> None:
        """Close nothing."""


def test_make_source_picks_the_class_for_the_kind():
    source = make_source(parse_source("pattern:"), CaptureOptions())
    assert isinstance(source, PatternSource)
    assert source.spec == SourceSpec("pattern", "")


def test_the_registry_plugs_in_classes_by_dotted_path():
    registry = {
        "pattern": f"{__name__}.RecordingSource",
        "custom": f"{__name__}.RecordingSource",
    }
    assert isinstance(
        make_source(SourceSpec("pattern", ""), CaptureOptions(), registry), RecordingSource
    )
    assert isinstance(
        make_source(SourceSpec("custom", "x"), CaptureOptions(), registry), RecordingSource
    )


@pytest.mark.parametrize(
    "registry",
    [
        {},
        {"nope": "no.such.module.Source"},
        {"nope": "livecam.sources.Nothing"},
        {"nope": "os.path"},
    ],
)
def test_bad_registry_entries_are_source_errors(registry: dict[str, str]):
    with pytest.raises(SourceError):
        make_source(SourceSpec("nope", ""), CaptureOptions(), registry)


def test_making_sources_loads_no_video_library():
    # PyAV and linuxpy are loaded by the sources that open files, streams and cameras,
    # and only when they do; OpenCV is not used at all.
    code = (
        "import sys\n"
        "from livecam.sources import make_source, parse_source, CaptureOptions\n"
        "make_source(parse_source('mjpeg+http://cam/x'), CaptureOptions())\n"
        "make_source(parse_source('pattern:'), CaptureOptions())\n"
        "make_source(parse_source('device:0'), CaptureOptions())\n"
        "loaded = {'av', 'cv2', 'linuxpy'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=30)
