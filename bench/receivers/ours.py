"""Our receiver: :class:`CallbackServer` with ``tasks`` waiters registered before the flood.

Every push therefore goes through the real path: secret check, body cap, JSON parse,
push validation into a ``TaskSnapshot``, registry lookup, forward-only status update and
(for terminal pushes) future resolution. Confirmation is off, so a terminal push
resolves its waiter without a query, as in the e2e "healthy path". Default event loop,
as a default install runs it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bench._procs import announce_and_wait
from bench._wrk import task_id
from minimax_async.callbacks import CallbackServer
from minimax_async.models import TaskSnapshot


async def _never_queried() -> TaskSnapshot:
    # The watchdog's quiet period is longer than any run, so this is never called;
    # if it were, the benchmark would be measuring polls, which must not pass silently.
    raise RuntimeError("the throughput receiver must not poll")


async def _serve(secret: str, port: int, tasks: int) -> None:
    server = CallbackServer(
        port=port,
        secret=secret,
        confirm=False,
        quiet_period=3600.0,
        max_poll_interval=3600.0,
    )
    async with server:
        waiters = [
            asyncio.create_task(server.wait(task_id(i), query=_never_queried)) for i in range(tasks)
        ]
        # Let every waiter register before announcing readiness.
        await asyncio.sleep(0)
        await announce_and_wait(server.port)
        resolved = sum(1 for waiter in waiters if waiter.done() and not waiter.cancelled())
        sys.stderr.write(f"resolved {resolved} of {tasks} waiters\n")
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--tasks", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(_serve(args.secret, args.port, args.tasks))


if __name__ == "__main__":
    main()
