"""The client's side of waiting: what every task handle talks to (one per client).

A handle is an id, a kind and this engine. The engine turns a handle's calls into the
tracker's (the receiver's :class:`~minimax_async._tracker.TaskTracker` when the client
has one, else its own, which polls on ``poll_interval``), asks the journal to record
what it learns, and gives a task's in-flight slot back when its result is delivered or
its handle is closed.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from minimax_async._download import Progress, Target, download_to
from minimax_async._exceptions import InvalidInputError
from minimax_async._limits import Slot
from minimax_async._ref import TaskKind, TaskRef
from minimax_async._registry import InMemoryRegistry
from minimax_async._retry import Backoff
from minimax_async._tracker import TaskTracker
from minimax_async.callbacks._hooks import Hooks
from minimax_async.models import TaskSnapshot

if TYPE_CHECKING:
    from minimax_async.resources._base import Core
    from minimax_async.resources.files import Files

__all__ = ("POLL_JITTER", "ResultWaiter", "TaskEngine")

#: +-20 %: many tasks created together do not poll in lockstep.
POLL_JITTER = 0.2
_QUIET = {"registered": logging.DEBUG, "poll": logging.DEBUG, "completed": logging.DEBUG}


class ResultWaiter(Protocol):
    """What the client needs from a callback receiver (``CallbackServer`` fits)."""

    @property
    def running(self) -> bool: ...

    @property
    def tracker(self) -> TaskTracker: ...

    def callback_url(self, kind: TaskKind = "video") -> str: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


class TaskEngine:
    """Waits, queries, journals and releases slots on behalf of the client's handles."""

    def __init__(self, core: Core, *, files: Files) -> None:
        # The engine refers to the client's core, never the other way round: a client
        # dropped without aclose() is freed at once, and its transport warns right away.
        self._core = core
        #: What finished videos download through.
        self.files = files
        self.durability = core.durability
        receiver = core.waiter
        if receiver is not None:
            self.tracker = receiver.tracker
            self._owns_tracker = False
        else:
            every = core.config.poll_interval
            self.tracker = TaskTracker(
                registry=InMemoryRegistry(),
                # Polling is all this tracker does: routine events are not INFO news.
                hooks=Hooks(levels=_QUIET),
                schedule=Backoff(every, factor=1.0, cap=every, jitter=POLL_JITTER),
                pushes=False,
                max_concurrent_polls=core.config.max_connections,
                retry=core.transport.policy,
            )
            self._owns_tracker = True
        if self.durability is not None:
            # Pushed statuses reach the journal through the tracker's events.
            self.tracker.hooks.subscribe(self.durability.on_callback_event)
        self._slots: dict[str, Slot] = {}

    # -- in-flight slots ---------------------------------------------------------------

    def hold(self, task_id: str, slot: Slot) -> None:
        """The task counts against ``max_in_flight`` until :meth:`release`."""
        previous = self._slots.pop(task_id, None)
        if previous is not None:
            previous.release()
        self._slots[task_id] = slot

    def release(self, task_id: str) -> None:
        """Give the task's slot back, if it holds one (idempotent)."""
        slot = self._slots.pop(task_id, None)
        if slot is not None:
            slot.release()

    # -- what a handle asks --------------------------------------------------------------

    def known(self, task_id: str) -> TaskSnapshot | None:
        """The furthest snapshot seen of the task by this client (or its receiver)."""
        return self.tracker.known(task_id)

    async def refresh(self, ref: TaskRef) -> TaskSnapshot:
        """One query (with the transport's retries), fed to the tracker as the truth."""
        snap = await self._core.query_ref(ref, True)
        self._observed(snap)
        self.tracker.observe(snap)
        return snap

    async def wait(self, ref: TaskRef, *, timeout: float | None) -> TaskSnapshot:
        """The task's terminal snapshot, journaled before it is returned."""
        snap = await self.tracker.wait(
            ref,
            query=self._poller(ref),
            timeout=timeout,
            # A re-attached task holds no slot here: its pushes may have gone to a
            # process that is gone, so it is asked about at once.
            poll_now=ref.task_id not in self._slots,
        )
        await self.finished(ref, snap)
        return snap

    async def updates(
        self,
        ref: TaskRef,
        *,
        timeout: float | None,
    ) -> AsyncIterator[TaskSnapshot]:
        """The current status, then each new one; the terminal one is journaled first."""
        stream = self.tracker.updates(ref, query=self._poller(ref), timeout=timeout)
        async with contextlib.aclosing(stream):
            async for snap in stream:
                if snap.is_terminal:
                    await self.finished(ref, snap)
                yield snap

    async def finished(self, ref: TaskRef, snap: TaskSnapshot) -> None:
        """Journal the result (before the caller sees it), then free the slot."""
        if self.durability is not None:
            await self.durability.finished(ref.kind, snap)
        self.release(ref.task_id)

    async def download_agent_video(
        self, task_id: str, video_url: str, path: str | os.PathLike[str], progress: Progress | None
    ) -> Path:
        """Stream an agent video; an expired ``video_url`` is replaced by re-querying."""
        return await self.download_url(TaskRef("agent", task_id), video_url, path, progress)

    async def download_url(
        self, ref: TaskRef, video_url: str, path: str | os.PathLike[str], progress: Progress | None
    ) -> Path:
        """Stream a task's direct video URL (agent, V2); an expired one is re-queried."""

        async def source(fresh: bool) -> Target:
            if not fresh:
                return Target(video_url)
            # Re-querying a finished task hands out a new video_url.
            snap = await self._core.query_ref(ref, True)
            if not snap.video_url:
                raise InvalidInputError("task_id", ref.task_id, "the task has no video_url")
            return Target(snap.video_url)

        return await download_to(self._core.transport, path, source=source, progress=progress)

    async def aclose(self) -> None:
        """Stop the client's own tracker (a receiver's tracker closes with it)."""
        if self._owns_tracker:
            await self.tracker.aclose()

    # -- internals -----------------------------------------------------------------------

    def _poller(self, ref: TaskRef) -> Callable[[], Awaitable[TaskSnapshot]]:
        async def poll() -> TaskSnapshot:
            snap = await self._core.query_ref(ref, False)
            self._observed(snap)
            return snap

        return poll

    def _observed(self, snap: TaskSnapshot) -> None:
        if self.durability is not None:
            self.durability.observed(snap)
