"""Motion detection per camera: detector, event tracker, events, webhooks and retention."""
