"""Memory per pending task: ``task.result()`` waiting on the callback receiver.

Measured in this process, twice: a tracemalloc snapshot diff (Python allocations only,
exact) and a resident-set diff (everything, coarse: allocator arenas round it). The
waiters are real and made as users make them: ``client.video.create(...)`` against an
in-process stand-in that answers each create with a new task id, then ``task.result()``
on a started receiver, so the handle, the waiting coroutine, the registry entry and
the watchdog timer all count. (Re-attached handles, ``client.video.task(id)``, are
queried at once: measured that way, the figure was mostly 10,000 queries queued
behind the poll semaphore, a moment, not what a waiting task holds.)
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from aiohttp import web

from bench._procs import ROOT
from minimax_async import AsyncMiniMax
from minimax_async.callbacks import CallbackEvent, CallbackServer

__all__ = ("measure", "run_memory")

_LIMIT = 4096  # bytes per pending task, the target


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _pending(tasks: int, measure: Callable[[], Awaitable[None]]) -> None:
    """Hold ``tasks`` waiters pending while ``measure()`` runs.

    Each waiter is a plain ``asyncio`` task, as ``asyncio.gather`` would make; its own
    cost is counted too, so the figure is what an application pays per pending task.
    """
    receiver = CallbackServer(confirm=False)
    registered = anyio.Event()
    count = 0

    def on_event(event: CallbackEvent) -> None:
        nonlocal count
        if event.kind == "registered":
            count += 1
            if count == tasks:
                registered.set()

    receiver.subscribe(on_event)
    # No query is made: the watchdog's quiet period outlasts the run.
    async with (
        _creates_only() as base_url,
        AsyncMiniMax(
            api_key="bench-key-0123456789",
            base_url=base_url,
            callbacks=receiver,
            rpm=None,
            max_in_flight=None,
        ) as client,
    ):
        created = [await client.video.create(prompt=f"shot {index}") for index in range(tasks)]
        waiters = [asyncio.create_task(task.result()) for task in created]
        del created
        try:
            with anyio.fail_after(120):
                await registered.wait()
            await measure()
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)


@asynccontextmanager
async def _creates_only() -> AsyncIterator[str]:
    """A stand-in API on loopback that answers every create with a fresh task id."""
    ids = itertools.count(200_000_000_000_000_000)

    async def create(request: web.Request) -> web.Response:
        await request.read()
        ok = {"status_code": 0, "status_msg": "success"}
        return web.json_response({"task_id": str(next(ids)), "base_resp": ok})

    app = web.Application()
    app.router.add_post("/v1/video_generation", create)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def _measure_tracemalloc(tasks: int) -> float:
    result: dict[str, int] = {}

    async def main() -> None:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()

        async def measure() -> None:
            gc.collect()
            after = tracemalloc.take_snapshot()
            result["bytes"] = sum(s.size_diff for s in after.compare_to(before, "filename"))

        try:
            await _pending(tasks, measure)
        finally:
            tracemalloc.stop()

    anyio.run(main)
    return result["bytes"] / tasks


def _measure_rss(tasks: int) -> float:
    result: dict[str, int] = {}

    async def main() -> None:
        # Warm up once so imports and first-use caches are not counted.
        await _pending(100, _nothing)
        gc.collect()
        before = _rss()

        async def measure() -> None:
            gc.collect()
            result["bytes"] = _rss() - before

        await _pending(tasks, measure)

    anyio.run(main)
    return result["bytes"] / tasks


async def _nothing() -> None:
    return None


def measure(tasks: int) -> dict[str, float]:
    """Both measurements in this process; RSS first, before anything was freed."""
    # After a tracemalloc run (or any earlier suite) the allocator would reuse freed
    # memory and the RSS diff would read near zero, hence a fresh process each time.
    resident = _measure_rss(tasks)
    return {"rss": resident, "tracemalloc": _measure_tracemalloc(tasks)}


def run_memory(*, tasks: int = 10_000) -> dict[str, Any]:
    """Bytes per pending task by both methods (in a fresh process), against 4 KiB."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory", str(tasks)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": os.fspath(ROOT)},
        cwd=ROOT,
    ).stdout
    figures = json.loads(out)
    resident, traced = figures["rss"], figures["tracemalloc"]
    rows = [
        {
            "method": method,
            "pending tasks": tasks,
            "bytes/task": round(value),
            "target": f"< {_LIMIT}",
            "met": "yes" if value < _LIMIT else "NO",
        }
        for method, value in (("tracemalloc diff", traced), ("RSS diff", resident))
    ]
    return {"rows": rows}


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]))))
