"""Notifications: motion and offline/back, per user and camera, by e-mail and webhook."""
