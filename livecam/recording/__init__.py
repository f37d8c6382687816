"""Recordings: MP4 (H.264) files written from the frames capture already has."""
