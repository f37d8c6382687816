"""The seed-style baseline: the tutorial design livecam replaces, rebuilt from its description."""
