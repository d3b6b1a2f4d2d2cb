"""Moves each task through its states on real timers, pushing every change."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from minimax_async.emulator._callbacks import CallbackClient
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._state import FileRecord, Store, TaskRecord
from minimax_async.emulator._status import Status
from minimax_async.emulator._wire import push_body

__all__ = ("Lifecycle",)

logger = logging.getLogger(__name__)


class Lifecycle:
    """Runs one background task per emulated task; :meth:`aclose` cancels them all."""

    def __init__(
        self,
        store: Store,
        callbacks: CallbackClient,
        config: Callable[[], EmulatorConfig],
        mint_agent_url: Callable[[TaskRecord], None],
    ) -> None:
        self._store = store
        self._callbacks = callbacks
        self._config = config
        self._mint_agent_url = mint_agent_url
        self._running: set[asyncio.Task[None]] = set()

    def start(self, task: TaskRecord) -> None:
        """Begin ``task``'s life; it is already stored, in Preparing."""
        runner = asyncio.get_running_loop().create_task(self._run(task))
        self._running.add(runner)
        runner.add_done_callback(self._running.discard)

    async def aclose(self) -> None:
        runners = list(self._running)
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)

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
        runner = asyncio.get_running_loop().create_task(self._resume(task, schedule))
        self._running.add(runner)
        runner.add_done_callback(self._running.discard)

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
