"""Serving: the fan-out core that sends shared parts to many viewers, and one module per format."""
