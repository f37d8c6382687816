"""livecam's date formats, one per language, each with the time zone (FORMAT_MODULE_PATH)."""
