"""`livecam serve` with uvicorn's plain httptools protocol: the request limits of issue 19 off.

Benchmark only (`bench.h264_serve --limits`): the same server as `livecam serve` except the
protocol class, so the cost of the head size/time limits and connection caps can be measured.
"""

from __future__ import annotations

import sys

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from livecam import cli, server

server.LimitedHttpToolsProtocol = HttpToolsProtocol  # type: ignore[misc]

if __name__ == "__main__":
    cli.main(sys.argv[1:])
