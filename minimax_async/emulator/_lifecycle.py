"""Moves each task through its states on real timers, pushing every change."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from minimax_async.emulator._callbacks import CallbackClient
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._state import FileRecord, Store, TaskRecord
from minimax_async.emulator._status import Status
from minimax_async.emulator._wire import push_body

__all__ = ("Lifecycle", "Runners")

logger = logging.getLogger(__name__)


class Runners:
    """One background asyncio task per emulated task, by task id; shared by V1 and V2."""

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Task[None]] = {}

    def spawn(self, key: str, work: Coroutine[Any, Any, None]) -> None:
        runner = asyncio.get_running_loop().create_task(work)
        self._running[key] = runner
        runner.add_done_callback(lambda _: self._running.pop(key, None))

    def cancel(self, key: str) -> None:
        """Stop ``key``'s timers (a cancelled V2 task); it is not awaited."""
        runner = self._running.pop(key, None)
        if runner is not None:
            runner.cancel()

    async def aclose(self) -> None:
        runners = list(self._running.values())
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)


class Lifecycle:
    """Moves V1 tasks through their states on ``runners``."""

    def __init__(
        self,
        store: Store,
        callbacks: CallbackClient,
        config: Callable[[], EmulatorConfig],
        mint_agent_url: Callable[[TaskRecord], None],
        runners: Runners,
    ) -> None:
        self._store = store
        self._callbacks = callbacks
        self._config = config
        self._mint_agent_url = mint_agent_url
        self._runners = runners

    def start(self, task: TaskRecord) -> None:
        """Begin ``task``'s life; it is already stored, in Preparing."""
        self._runners.spawn(task.task_id, self._run(task))

    def _stages(self, task: TaskRecord) -> list[tuple[Status, float]]:
        """(state to enter, seconds to wait before entering it), in order."""
        config = self._config()
        if task.kind == "agent":
            # The agent query documents no Queueing: that time is spent preparing.
            waited = config.preparing_seconds + config.queueing_seconds
            stages = [(Status.PROCESSING, waited)]
        else:
            stages = [
                (Status.QUEUEING, config.preparing_seconds),
                (Status.PROCESSING, config.queueing_seconds),
            ]
        final = Status.FAIL if task.failure_code else Status.SUCCESS
        stages.append((final, config.processing_seconds))
        return stages

    async def _run(self, task: TaskRecord) -> None:
        for status, seconds in self._stages(task):
            # The lifecycle is made of real timers; that is the emulation, not a test wait.
            await asyncio.sleep(self._config().scaled(seconds))
            await self._enter(task, status)

    async def _enter(self, task: TaskRecord, status: Status) -> None:
        if status is Status.SUCCESS:
            self._finish(task)
        await self._store.set_status(task, status)
        logger.debug("task %s -> %s", task.task_id, status.value)
        self._push(task)

    def schedule(self, task: TaskRecord) -> list[tuple[Status, float]]:
        """The wall-clock time (``time.time()``) at which ``task`` enters each status."""
        at = task.history_times[0]
        times = []
        for status, seconds in self._stages(task):
            at += self._config().scaled(seconds)
            times.append((status, at))
        return times

    def resume(self, task: TaskRecord, schedule: list[tuple[Status, float]]) -> None:
        """Go on with a task restored from a saved state, each status at its saved time."""
        if task.kind == "agent" and task.status is Status.SUCCESS:
            self._mint_agent_url(task)  # the old link died with the server that minted it
        self._runners.spawn(task.task_id, self._resume(task, schedule))

    async def _resume(self, task: TaskRecord, schedule: list[tuple[Status, float]]) -> None:
        for status, at in schedule:
            if status in task.history:
                continue
            await asyncio.sleep(max(0.0, at - time.time()))
            await self._enter(task, status)

    def _finish(self, task: TaskRecord) -> None:
        if task.kind == "agent":
            self._mint_agent_url(task)
            return
        file = FileRecord(
            file_id=self._store.new_file_id(),
            owner=task.owner,
            path=task.asset,
            bytes=task.asset.stat().st_size,
            created_at=task.created_at,
        )
        self._store.files[file.file_id] = file
        task.file_id = file.file_id

    def _push(self, task: TaskRecord) -> None:
        if task.callback_url is None:
            return
        body = push_body(task, self._config().push_status_case)
        self._callbacks.push(task.task_id, task.callback_url, body, final=task.status.is_terminal)
