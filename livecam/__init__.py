"""livecam: stream server-attached cameras to browsers as MJPEG, with ON/OFF control."""

__version__ = "0.1.0"
