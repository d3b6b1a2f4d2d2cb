"""One worker process of the multi-process and crash tests (run with ``python -m``).

It creates its share of a batch (unique prompts ``<name> #<n>``), prints one line per
event on stdout (``ready``, ``created <n> <task_id>``, ``result <task_id> <file_id>``), and at
the end writes a JSON report. With ``--resume`` it first re-attaches what its journal
holds, then creates only the prompts its journal has never seen: a prompt is never
sent twice, even if its create's outcome was lost in the crash.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from minimax_async import InvalidRequestError, TaskFailedError
from minimax_async._client import AsyncMiniMax
from minimax_async.callbacks import CallbackEvent, CallbackServer
from minimax_async.durable import RedisBus, RedisJournal, RedisLimits, SQLiteJournal, TaskJournal

__all__ = ("main",)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _journal(spec: str) -> TaskJournal:
    kind, _, where = spec.partition("=")
    if kind == "sqlite":
        return SQLiteJournal(where, synchronous="NORMAL")
    url, _, prefix = where.rpartition("@")
    return RedisJournal(url, prefix=prefix)


async def _await(task: Any, results: dict[str, str]) -> None:
    try:
        video = await task.result()
        results[task.task_id] = video.file_id
    except TaskFailedError:
        results[task.task_id] = "failed"
    _say(f"result {task.task_id} {results[task.task_id]}")


async def _create(client: AsyncMiniMax, prompt: str) -> Any:
    # A challenge that hit a worker just killed fails the create with 2013: MiniMax
    # provably made no task (the journal records it refused), so sending again is safe.
    for attempt in range(5):
        try:
            return await client.video.create(prompt=prompt, duration=6, resolution="768P")
        except InvalidRequestError as exc:
            if "callback url" not in str(exc) or attempt == 4:
                raise
    raise AssertionError("unreachable")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    completed: Counter[str] = Counter()
    server: CallbackServer | None = None
    if args.port:
        bus = RedisBus(args.redis, prefix=args.prefix, worker_id=args.name)
        server = CallbackServer(
            port=args.port,
            reuse_port=True,
            secret=args.secret,
            confirm=False,
            quiet_period=args.quiet,
            max_poll_interval=args.quiet,
            bus=bus,
        )

        def count(event: CallbackEvent) -> None:
            if event.kind == "completed" and event.task_id:
                completed[event.task_id] += 1

        server.subscribe(count)
    limits = None
    if args.limits:
        url, _, prefix = args.limits.rpartition("@")
        limits = RedisLimits(url, prefix=prefix, workers=args.workers)
    client = AsyncMiniMax(
        api_key="test-key-durable",
        base_url=args.base_url,
        rpm=args.rpm,
        max_in_flight=args.max_in_flight,
        limits=limits,
        poll_interval=args.quiet,
        callbacks=server,
        journal=_journal(args.journal),
    )
    results: dict[str, str] = {}
    ambiguous: list[str] = []
    async with client:
        _say("ready")
        waits: list[asyncio.Task[None]] = []
        seen: set[str] = set()
        if args.resume:
            report = await client.resume()
            ambiguous = [str(entry.body.get("prompt")) for entry in report.ambiguous]
            waits += [asyncio.ensure_future(_await(t, results)) for t in report.tasks]
            journal = client.journal
            assert journal is not None
            # A refused create made no task: that prompt is free to send again.
            opened = await journal.entries(("intent", "submitted", "finished"))
            seen = {str(entry.body.get("prompt")) for entry in opened}
        for n in range(args.count):
            prompt = f"{args.name} #{n}"
            if prompt in seen:
                continue
            task = await _create(client, prompt)
            _say(f"created {n} {task.task_id}")
            waits.append(asyncio.ensure_future(_await(task, results)))
        await asyncio.gather(*waits)
        if server is not None and server.bus is not None:
            assert isinstance(server.bus, RedisBus)
            await server.bus.drain()
    return {
        "name": args.name,
        "results": results,
        "completed": dict(completed),
        "ambiguous": ambiguous,
    }


def main() -> None:
    """Parse the flags, run the worker, write the report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--journal", required=True, help="sqlite=PATH or redis=URL@PREFIX")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0, help="callback port; 0 = poll only")
    parser.add_argument("--secret", default=None)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--prefix", default="mmxtest")
    parser.add_argument("--quiet", type=float, default=2.0)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--rpm", type=float, default=None, help="default: no rate limit")
    parser.add_argument("--max-in-flight", type=int, default=None, help="default: no cap")
    parser.add_argument("--limits", default="", help="share the limits: URL@PREFIX")
    parser.add_argument("--workers", type=int, default=4, help="for the limits' fallback")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    args.out.write_text(json.dumps(report))
    _say("done")


if __name__ == "__main__":
    main()
