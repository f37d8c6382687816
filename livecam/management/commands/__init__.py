"""livecam commands: serve, capture, camera, token."""
