"""The ready-to-run server: settings, URLs and ASGI application."""
