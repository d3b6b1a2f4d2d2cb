"""The emulator in its own process, for the end-to-end suites.

Takes every ``python -m minimax_async.emulator`` flag plus ``--dump PATH``; prints
``READY <port>`` once listening and, on SIGTERM, writes what it saw to ``PATH`` as JSON:
request counts per path, and per task the wall-clock time it ended and the time its
terminal push was sent. The client under test lives in the benchmark process, so the
two only share the machine, as a real deployment shares the network.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

from bench._procs import announce_and_wait
from minimax_async.emulator import Emulator
from minimax_async.emulator._cli import add_arguments, config_from_args

__all__ = ("dump", "main")


def dump(emulator: Emulator) -> dict[str, Any]:
    """Request counts and per-task end times, JSON-ready."""
    paths = Counter(record.path for record in emulator.requests)
    tasks: dict[str, dict[str, float | None]] = {}
    for task_id, task in emulator.tasks.items():
        ended = task.history_times[-1] if task.status.is_terminal else None
        tasks[task_id] = {"ended_at": ended, "pushed_at": None}
    for push in emulator.pushes:
        entry = tasks.get(push.task_id or "")
        final = str(push.body.get("status", "")).lower() in ("success", "fail", "failed")
        if entry is not None and final and push.delivered and entry["pushed_at"] is None:
            entry["pushed_at"] = push.sent_at
    challenges = sum(1 for push in emulator.pushes if push.kind == "challenge")
    return {"requests": dict(paths), "challenges": challenges, "tasks": tasks}


async def _serve(emulator: Emulator) -> dict[str, Any]:
    async with emulator:
        await announce_and_wait(emulator.port)
        return dump(emulator)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    parser.add_argument("--dump", type=Path, required=True, help="where to write the JSON")
    args = parser.parse_args()
    emulator = Emulator(config=config_from_args(args), host=args.host, port=args.port)
    seen = asyncio.run(_serve(emulator))
    args.dump.write_text(json.dumps(seen))


if __name__ == "__main__":
    main()
