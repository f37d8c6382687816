"""Views: pages, stream and snapshot, JSON API, events, health."""
