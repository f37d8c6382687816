"""Whether a source's own H.264 may go to browsers as it is (pass-through) or must be re-encoded."""

from __future__ import annotations

from livecam.sources.base import H264Sample

PROFILES = ("Baseline", "Constrained Baseline", "Main", "High")
"""Profiles every MSE browser decodes (8-bit 4:2:0)."""
PIXEL_FORMATS = ("yuv420p", "yuvj420p")
MAX_GOP = 4.0
"""Seconds between keyframes beyond which a new viewer would wait too long for a picture."""


def unfit(sample: H264Sample) -> str:
    """Return why a stream cannot pass through, judged from one of its pictures ("" if it can)."""
    if sample.profile not in PROFILES:
        return f"H.264 profile {sample.profile or 'unknown'} is not one every browser decodes"
    if sample.pix_fmt not in PIXEL_FORMATS:
        return f"pixel format {sample.pix_fmt or 'unknown'} is not 8-bit 4:2:0"
    if sample.reorders:
        return "the stream has B-frames (pictures out of order add latency in browsers)"
    if sample.interlaced:
        return "the stream is interlaced"
    return ""
