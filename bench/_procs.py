"""Start a server in its own process and learn its port from its ``READY <port>`` line."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def server_process(module: str, *args: str, ready_timeout: float = 30.0) -> Iterator[int]:
    """Run ``python -m module args`` and yield the port it announces."""
    env = {**os.environ, "PYTHONPATH": os.fspath(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        port = _read_ready(proc, ready_timeout)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _read_ready(proc: subprocess.Popen[str], timeout: float) -> int:
    import selectors

    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    if not selector.select(timeout):
        raise RuntimeError(f"server {proc.args!r} did not start within {timeout}s")
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        raise RuntimeError(f"server {proc.args!r} said {line!r} instead of READY")
    return int(line.split()[1])


async def announce_and_wait(port: int) -> None:
    """The server side of :func:`server_process`: print ``READY <port>``, then wait for
    SIGINT or SIGTERM (which the harness sends to stop it)."""
    import asyncio

    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
