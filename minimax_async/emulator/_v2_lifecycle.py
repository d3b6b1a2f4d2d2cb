"""Moves V2 tasks through queued -> running -> succeeded | failed, pushing each change.

``queued -> cancelled`` comes from DELETE (:meth:`V2Lifecycle.cancel`), and the opt-in
``expired`` from the ``v2_expire_after`` knob. Timers are real and time-scaled, as V1's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from minimax_async.emulator._callbacks import CallbackClient
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._lifecycle import Runners
from minimax_async.emulator._state import Store
from minimax_async.emulator._status import V2Status
from minimax_async.emulator._v2_state import V2Task
from minimax_async.emulator._v2_wire import task_body

__all__ = ("V2Lifecycle", "push_of")

logger = logging.getLogger(__name__)


def push_of(task: V2Task, config: EmulatorConfig) -> dict[str, object]:
    """A V2 status push: the query's body, ``{"task": {...}}`` (§9)."""
    return {"task": task_body(task, config)}


class V2Lifecycle:
    """Runs each V2 task on ``runners``; ``finish`` fills in a succeeded task's output."""

    def __init__(
        self,
        store: Store,
        callbacks: CallbackClient,
        config: Callable[[], EmulatorConfig],
        finish: Callable[[V2Task], None],
        runners: Runners,
    ) -> None:
        self._store = store
        self._callbacks = callbacks
        self._config = config
        self._finish = finish
        self._runners = runners

    def start(self, task: V2Task, *, queued_pushed: bool) -> None:
        """Begin ``task``'s life; it is stored, queued, and its create has been answered."""
        if self._config().v2_push_queued and not queued_pushed:
            self._push(task)
        self._runners.spawn(task.task_id, self._run(task))

    async def _run(self, task: V2Task) -> None:
        config = self._config()
        queued = config.v2_queued_seconds
        if config.v2_expire_after is not None and config.v2_expire_after < queued:
            await asyncio.sleep(config.scaled(config.v2_expire_after))  # the emulated wait
            await self._enter(task, V2Status.EXPIRED)
            return
        await asyncio.sleep(config.scaled(queued))
        await self._enter(task, V2Status.RUNNING)
        fast = task.model == "MiniMax-H3-Max"
        running = config.v2_max_running_seconds if fast else config.v2_running_seconds
        await asyncio.sleep(self._config().scaled(running))
        if task.failure_code is None:
            self._finish(task)
            await self._enter(task, V2Status.SUCCEEDED)
        else:
            await self._enter(task, V2Status.FAILED)

    async def cancel(self, task: V2Task) -> None:
        """DELETE on a queued task: stop its timers, then mark it cancelled."""
        self._runners.cancel(task.task_id)
        await self._enter(task, V2Status.CANCELLED)

    async def _enter(self, task: V2Task, status: V2Status) -> None:
        task.status = status
        task.history.append(status)
        task.history_times.append(self._store.clock.wall())
        task.updated_at = int(self._store.clock.wall())
        logger.debug("v2 task %s -> %s", task.task_id, status.value)
        await self._store.notify()
        self._push(task)

    def _push(self, task: V2Task) -> None:
        if task.callback_url is None:
            return
        body = push_of(task, self._config())
        self._callbacks.push(task.task_id, task.callback_url, body, final=task.status.is_terminal)
