"""Template tags of livecam's pages."""
