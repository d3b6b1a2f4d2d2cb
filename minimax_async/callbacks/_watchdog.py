"""Push as hint, poll as truth: the timers that query tasks gone quiet.

One ``loop.call_later`` handle per waiting task (no idle asyncio task per task); a
fired timer starts one short-lived poll, and a global semaphore bounds how many polls
run at once, so ten thousand quiet tasks cannot stampede MiniMax's rate limit.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from minimax_async.callbacks._registry import TaskState

__all__ = ("PollFn", "Watchdog")

logger = logging.getLogger(__name__)

#: Does one query for the task; ``reason`` is "poll" (quiet timer) or "confirm".
PollFn = Callable[[TaskState, str], Awaitable[None]]


class Watchdog:
    """Schedules polls of quiet tasks with exponential backoff and jitter.

    The first poll comes ``quiet_period`` seconds after the last push (or the
    registration); each further poll without news waits twice as long, up to
    ``max_interval``, each delay spread by +-``jitter`` (a fraction) so tasks created
    together do not poll together.
    """

    __slots__ = (
        "_closed",
        "_fallback",
        "_jitter",
        "_max_interval",
        "_poll",
        "_quiet",
        "_rng",
        "_running",
        "_semaphore",
    )

    def __init__(
        self,
        poll: PollFn,
        *,
        quiet_period: float,
        max_interval: float,
        jitter: float,
        max_concurrent: int,
        rng: random.Random | None = None,
    ) -> None:
        self._poll = poll
        self._quiet = quiet_period
        self._max_interval = max(max_interval, quiet_period)
        self._jitter = jitter
        self._semaphore = asyncio.Semaphore(max_concurrent)
        self._rng = rng if rng is not None else random.Random()
        self._running: set[asyncio.Task[None]] = set()
        self._closed = False
        self._fallback: float | None = None

    def fallback(self, interval: float | None) -> None:
        """Poll every ``interval`` seconds flat (pushes cannot arrive); None restores."""
        self._fallback = interval

    def delay(self, state: TaskState) -> float:
        """How long to wait before the next poll, given the polls already without news."""
        base = min(self._quiet * (2.0 ** min(state.polls, 30)), self._max_interval)
        if self._fallback is not None:
            base = min(base, self._fallback)
        spread = 1.0 + self._jitter * (2.0 * self._rng.random() - 1.0)
        return max(base * spread, 0.0)

    def arm(self, state: TaskState) -> None:
        """(Re)start the task's quiet timer."""
        self.disarm(state)
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        state.timer = loop.call_later(self.delay(state), self._fire, state, "poll")

    def disarm(self, state: TaskState) -> None:
        """Stop the task's timer, if any."""
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None

    def poll_now(self, state: TaskState, reason: str) -> None:
        """Query the task as soon as a slot is free (a running poll is not doubled)."""
        self.disarm(state)
        self._fire(state, reason)

    def _fire(self, state: TaskState, reason: str) -> None:
        state.timer = None
        if self._closed or state.polling or state.result is not None:
            return
        state.polling = True
        task = asyncio.get_running_loop().create_task(self._run(state, reason))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, state: TaskState, reason: str) -> None:
        try:
            while True:
                async with self._semaphore:
                    await self._poll(state, reason)
                # A terminal push that came in during the query needs one more look.
                if not (state.hint and state.result is None and state.waiters and not self._closed):
                    return
                reason = "confirm"
        except Exception:
            # _poll handles query errors itself; this is a bug guard, never a crash.
            logger.exception("watchdog poll of task %s failed", state.task_id)
        finally:
            state.polling = False

    async def aclose(self) -> None:
        """Stop scheduling and cancel running polls."""
        self._closed = True
        tasks = list(self._running)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
