"""Polls as truth: the timers that query waiting tasks on the tracker's schedule.

One ``loop.call_later`` handle per waiting task (no idle asyncio task per task); a
fired timer starts one short-lived poll, and a global semaphore bounds how many polls
run at once, so ten thousand quiet tasks cannot stampede MiniMax's rate limit. The
schedule is a :class:`~minimax_async._retry.Backoff` over the polls a task has had
without news: flat ``poll_interval`` without a receiver, ``quiet_period`` doubling up to
``max_poll_interval`` with one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from minimax_async._registry import TaskState
from minimax_async._retry import Backoff

__all__ = ("PollFn", "Watchdog")

logger = logging.getLogger(__name__)

#: Does one query for the task; ``reason`` is "poll" (timer), "now" or "confirm".
PollFn = Callable[[TaskState, str], Awaitable[None]]


class Watchdog:
    """Schedules the polls of waiting tasks; at most ``max_concurrent`` run at once."""

    __slots__ = ("_closed", "_fallback", "_poll", "_running", "_schedule", "_semaphore")

    def __init__(self, poll: PollFn, *, schedule: Backoff, max_concurrent: int) -> None:
        self._poll = poll
        self._schedule = schedule
        self._fallback: Backoff | None = None
        self._semaphore = asyncio.Semaphore(max_concurrent)
        self._running: set[asyncio.Task[None]] = set()
        self._closed = False

    def fallback(self, interval: float | None) -> None:
        """Poll at least every ``interval`` seconds (pushes cannot arrive); None restores."""
        self._fallback = None if interval is None else self._schedule.capped(interval)

    def delay(self, state: TaskState) -> float:
        """How long to wait before the next poll, given the polls already without news."""
        return (self._fallback or self._schedule).delay(state.polls)

    def arm(self, state: TaskState, *, sooner: float | None = None) -> None:
        """(Re)start the task's timer; ``sooner`` shortens this one wait (a retry)."""
        self.disarm(state)
        if self._closed:
            return
        delay = self.delay(state)
        if sooner is not None:
            delay = min(delay, sooner)
        loop = asyncio.get_running_loop()
        state.timer = loop.call_later(delay, self._fire, state, "poll")

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
            # The tracker handles query errors itself; this is a bug guard, never a crash.
            logger.exception("poll of task %s failed", state.task_id)
        finally:
            state.polling = False

    async def aclose(self) -> None:
        """Stop scheduling and cancel running polls."""
        self._closed = True
        tasks = list(self._running)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
