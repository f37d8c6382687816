"""The livecam benchmark: livecam against the Python floor and the tutorial design."""
