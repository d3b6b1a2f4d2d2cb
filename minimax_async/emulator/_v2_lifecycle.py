"""Moves V2 tasks through queued -> running -> succeeded | failed, pushing each change.

``queued -> cancelled`` comes from DELETE (:meth:`V2Lifecycle.cancel`), and the opt-in
``expired`` from the ``v2_expire_after`` knob. Timers are real and time-scaled, as V1's.

A task's whole schedule (the wall-clock time it enters each later status) is planned
when it starts, from the knobs as they are then, and the timers follow it; a saved
state keeps that plan, so a task restored in another emulator moves on at the same
times (:meth:`V2Lifecycle.resume`) whatever that emulator's knobs say.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from minimax_async.emulator._callbacks import CallbackClient
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._lifecycle import Runners
from minimax_async.emulator._state import Store
from minimax_async.emulator._status import V2Status
from minimax_async.emulator._v2_state import V2Task
from minimax_async.emulator._v2_wire import task_body

__all__ = ("V2Lifecycle", "V2Schedule", "push_of")

logger = logging.getLogger(__name__)

#: (status to enter, wall-clock ``time.time()`` to enter it at), in order.
V2Schedule = list[tuple[V2Status, float]]


def push_of(task: V2Task, config: EmulatorConfig) -> dict[str, object]:
    """A V2 status push: the query's body, ``{"task": {...}}`` (§9)."""
    return {"task": task_body(task, config)}


class V2Lifecycle:
    """Runs each V2 task on ``runners``; ``finish`` fills in a succeeded task's output.

    ``changed`` is told of every start and status change (a saved state hooks in there).
    """

    def __init__(
        self,
        store: Store,
        callbacks: CallbackClient,
        config: Callable[[], EmulatorConfig],
        finish: Callable[[V2Task], None],
        runners: Runners,
        changed: Callable[[V2Task], None],
    ) -> None:
        self._store = store
        self._callbacks = callbacks
        self._config = config
        self._finish = finish
        self._runners = runners
        self._changed = changed
        # Dropped once a task ends: a finished task has nothing left to schedule.
        self._schedules: dict[str, V2Schedule] = {}

    def start(self, task: V2Task, *, queued_pushed: bool) -> None:
        """Begin ``task``'s life; it is stored, queued, and its create has been answered."""
        self._schedules[task.task_id] = self._plan(task)
        self._changed(task)
        if self._config().v2_push_queued and not queued_pushed:
            self._push(task)
        self._runners.spawn(task.task_id, self._follow(task))

    def schedule(self, task: V2Task) -> V2Schedule:
        """What is left of ``task``'s schedule: empty once it has ended."""
        return list(self._schedules.get(task.task_id, ()))

    def resume(self, task: V2Task, schedule: V2Schedule) -> None:
        """Go on with a task restored from a saved state, each status at its saved time."""
        if task.status.is_terminal:
            if task.status is V2Status.SUCCEEDED and task.asset is not None:
                self._finish(task)  # its content.url died with the server that minted it
            return
        self._schedules[task.task_id] = schedule
        self._runners.spawn(task.task_id, self._follow(task))

    def _plan(self, task: V2Task) -> V2Schedule:
        config = self._config()
        at = time.time()
        queued = config.v2_queued_seconds
        if config.v2_expire_after is not None and config.v2_expire_after < queued:
            return [(V2Status.EXPIRED, at + config.scaled(config.v2_expire_after))]
        at += config.scaled(queued)
        fast = task.model == "MiniMax-H3-Max"
        running = config.v2_max_running_seconds if fast else config.v2_running_seconds
        final = V2Status.SUCCEEDED if task.failure_code is None else V2Status.FAILED
        return [(V2Status.RUNNING, at), (final, at + config.scaled(running))]

    async def _follow(self, task: V2Task) -> None:
        for status, at in self.schedule(task):
            if status in task.history:
                continue
            # The lifecycle is made of real timers; that is the emulation, not a test wait.
            await asyncio.sleep(max(0.0, at - time.time()))
            if status is V2Status.SUCCEEDED:
                self._finish(task)
            await self._enter(task, status)

    async def cancel(self, task: V2Task) -> None:
        """DELETE on a queued task: stop its timers, then mark it cancelled."""
        self._runners.cancel(task.task_id)
        await self._enter(task, V2Status.CANCELLED)

    async def _enter(self, task: V2Task, status: V2Status) -> None:
        task.status = status
        task.history.append(status)
        task.history_times.append(self._store.clock.wall())
        task.updated_at = int(self._store.clock.wall())
        if status.is_terminal:
            self._schedules.pop(task.task_id, None)
        logger.debug("v2 task %s -> %s", task.task_id, status.value)
        self._changed(task)
        await self._store.notify()
        self._push(task)

    def _push(self, task: V2Task) -> None:
        if task.callback_url is None:
            return
        body = push_of(task, self._config())
        self._callbacks.push(task.task_id, task.callback_url, body, final=task.status.is_terminal)
