"""Start several ``livecam`` commands at the same instant (a barrier after Python's imports)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.support.server import ROOT

# Imports Django first (the slow part), says it is ready, then waits for the start signal: the
# end of the "go" pipe, which every process sees at the same moment.
_LAUNCHER = """
import os, sys
import django.core.management
os.write(int(os.environ["TOGETHER_READY"]), b"r")
os.read(int(os.environ["TOGETHER_GO"]), 1)
from livecam.cli import main
main(sys.argv[1:])
"""


def start_together(
    commands: list[tuple[list[str], dict[str, str], Path]], timeout: float = 60
) -> list[subprocess.Popen[bytes]]:
    """Start ``livecam ARGS`` for each (args, env, log path) and release them all at once."""
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    processes = []
    try:
        for args, env, log_path in commands:
            with log_path.open("ab") as log:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-c", _LAUNCHER, *args],
                        env={
                            **env,
                            "TOGETHER_READY": str(ready_write),
                            "TOGETHER_GO": str(go_read),
                        },
                        cwd=ROOT,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        pass_fds=(ready_write, go_read),
                    )
                )
        os.close(ready_write)
        ready_write = -1
        deadline = time.monotonic() + timeout
        waiting = len(processes)
        while waiting:
            remaining = deadline - time.monotonic()
            readable, _, _ = select.select([ready_read], [], [], max(0.0, remaining))
            if not readable:
                raise AssertionError("the processes did not get ready in time")
            got = os.read(ready_read, waiting)
            if not got:
                raise AssertionError("a process exited before it got ready")
            waiting -= len(got)
    except BaseException:
        for process in processes:
            process.kill()
            process.wait()
        raise
    finally:
        os.close(ready_read)
        if ready_write >= 0:
            os.close(ready_write)
        os.close(go_read)
        os.close(go_write)  # the start signal: every process's read returns now
    return processes
