"""Our receiver: :class:`CallbackServer` with ``tasks`` waiters registered before the flood.

Every push therefore goes through the real path: secret check, body cap, JSON parse,
push validation into a ``TaskSnapshot``, registry lookup, forward-only status update and
(for terminal pushes) future resolution. Confirmation is off, so a terminal push
resolves its waiter without a query, as in the e2e "healthy path". uvloop is used when
the ``speed`` extra is installed, as an application would; ``--http`` picks the
receiver's HTTP implementation (``auto``: httptools when installed).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bench._procs import announce_and_wait
from bench._wrk import task_id
from minimax_async.callbacks import CallbackServer
from minimax_async.models import TaskSnapshot


async def _never_queried() -> TaskSnapshot:
    # The watchdog's quiet period is longer than any run, so this is never called;
    # if it were, the benchmark would be measuring polls, which must not pass silently.
    raise RuntimeError("the throughput receiver must not poll")


async def _serve(secret: str, port: int, tasks: int, http: Any) -> None:
    server = CallbackServer(
        port=port,
        secret=secret,
        confirm=False,
        quiet_period=3600.0,
        max_poll_interval=3600.0,
        http=http,
    )
    async with server:
        waiters = [
            asyncio.create_task(server.wait(task_id(i), query=_never_queried)) for i in range(tasks)
        ]
        # Let every waiter register before announcing readiness.
        await asyncio.sleep(0)
        await announce_and_wait(server.port)
        resolved = sum(1 for waiter in waiters if waiter.done() and not waiter.cancelled())
        sys.stderr.write(f"{server.http}: resolved {resolved} of {tasks} waiters\n")
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)


def _install_uvloop() -> str:
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    uvloop.install()
    return "uvloop"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--no-uvloop", action="store_true")
    parser.add_argument("--http", choices=("auto", "aiohttp", "httptools"), default="auto")
    args = parser.parse_args()
    if not args.no_uvloop:
        _install_uvloop()
    asyncio.run(_serve(args.secret, args.port, args.tasks, args.http))


if __name__ == "__main__":
    main()
