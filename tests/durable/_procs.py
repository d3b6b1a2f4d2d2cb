"""Starting worker processes and reading what they say, for the multi-process tests."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ("Worker", "port_of", "release", "reserve_port")

ROOT = Path(__file__).resolve().parents[2]


def reserve_port() -> socket.socket:
    """A loopback port bound with SO_REUSEPORT (not listening): workers can share it.

    Keep the socket open until the workers are up, so no other test grabs the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Worker:
    """One ``tests.durable._worker`` subprocess."""

    name: str
    args: Sequence[str]
    out: Path
    proc: asyncio.subprocess.Process | None = None
    created: list[str] = field(default_factory=list)
    #: (task_id, file_id) of every result announced, over every life of the process.
    results: list[tuple[str, str]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None
    _progress: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self, *extra: str) -> None:
        """Launch the process (again, after a kill) and follow its stdout."""
        self.ready.clear()
        self.finished.clear()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.durable._worker",
            "--name",
            self.name,
            "--out",
            str(self.out),
            *self.args,
            *extra,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.ensure_future(self._follow(self.proc))

    async def _follow(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            word, _, rest = raw.decode().strip().partition(" ")
            if word == "ready":
                self.ready.set()
            elif word == "created":
                self.created.append(rest.split()[1])
            elif word == "result":
                task_id, _, file_id = rest.partition(" ")
                self.results.append((task_id, file_id))
            elif word == "done":
                self.finished.set()
            self._progress.set()

    async def until_created(self, count: int) -> None:
        """Wait until the worker has announced ``count`` creates."""
        while len(self.created) < count:
            self._progress.clear()
            await self._progress.wait()

    async def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, no goodbye."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()
        if self._reader is not None:
            await self._reader

    async def wait(self) -> dict[str, Any]:
        """Wait for a clean exit; the worker's JSON report."""
        assert self.proc is not None
        code = await self.proc.wait()
        if self._reader is not None:
            await self._reader
        assert code == 0, f"worker {self.name} exited with {code}"
        report: dict[str, Any] = json.loads(self.out.read_text())
        return report

    async def stop(self) -> None:
        """Kill it if it still runs (test teardown)."""
        if self.proc is not None and self.proc.returncode is None:
            await self.kill()


def port_of(sock: socket.socket) -> int:
    """The port a reserved socket holds."""
    port: int = sock.getsockname()[1]
    return port


def release(sock: socket.socket) -> None:
    """Give the reserved port up (the workers hold it now)."""
    with closing(sock):
        pass
