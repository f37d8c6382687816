"""Management commands of the livecam command line."""
