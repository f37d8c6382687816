"""Capture: one worker thread per camera, a supervisor for all of them."""
