"""Run uvicorn with settings that suit long-lived streams, ending streams at once on exit."""

from __future__ import annotations

import contextlib
import logging
import os
import resource
from collections.abc import Generator
from types import FrameType

import uvicorn

from livecam import conf, logs
from livecam.serving.protocol import LimitedHttpToolsProtocol

logger = logging.getLogger(__name__)

APP = "livecam.site.asgi:application"


class _Server(uvicorn.Server):
    """A uvicorn server that ends open streams as soon as it is asked to exit.

    uvicorn waits for open responses before its lifespan shutdown; MJPEG streams never end
    by themselves, so without this every SIGTERM would wait out the graceful timeout.
    """

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        from livecam.bus import get_bus

        hub = get_bus().hub
        if hub.loop is not None and not hub.loop.is_closed():
            hub.loop.call_soon_threadsafe(hub.close)
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Capture SIGINT/SIGTERM; after a clean shutdown exit 0 instead of re-raising them."""
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def _raise_open_files_limit() -> None:
    """Allow as many open files as the system lets us: each connection is one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            logger.warning("could not raise the open files limit from %d", soft)


def run(*, host: str, port: int, workers: int = 1, behind_proxy: bool = False) -> None:
    """Serve livecam until SIGTERM/SIGINT."""
    _raise_open_files_limit()
    config = uvicorn.Config(
        APP,
        host=host,
        port=port,
        workers=workers,
        # httptools with request head size/time limits and connection caps (see the module).
        http=LimitedHttpToolsProtocol,
        h11_max_incomplete_event_size=int(conf.get("MAX_HEADER_BYTES")),
        lifespan="on",
        timeout_graceful_shutdown=3,
        proxy_headers=behind_proxy,
        forwarded_allow_ips=os.environ.get("LIVECAM_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        server_header=False,
        log_config=logs.uvicorn_log_config(),  # share-link secrets redacted at each handler
        log_level=os.environ.get("LIVECAM_LOG_LEVEL", "info").lower(),
        access_log=os.environ.get("LIVECAM_ACCESS_LOG", "1") not in ("0", "false", "no"),
    )
    if workers > 1:
        sock = config.bind_socket()
        # Each worker runs uvicorn's own Server; streams there end at the graceful timeout.
        uvicorn.supervisors.Multiprocess(config, sockets=[sock]).run()
        return
    _Server(config).run()
