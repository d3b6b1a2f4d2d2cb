"""Where the task tracker keeps what it knows about each task, behind a small interface.

:class:`TaskRegistry` is the seam for other stores (a journal surviving restarts, a
bus shared by worker processes). :class:`InMemoryRegistry` is the default: per-task
state in slotted objects, statuses that only move forward, a bounded buffer for pushes
that arrive before their task is registered, and a bounded memory of finished tasks so
a late duplicate or a re-attach still finds the result.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from minimax_async._status import TaskStatus
from minimax_async.models import TaskSnapshot

__all__ = ("InMemoryRegistry", "QueryFn", "TaskRegistry", "TaskState")

#: How the tracker asks MiniMax for the truth about one task.
QueryFn = Callable[[], Awaitable[TaskSnapshot]]


@dataclass(slots=True, eq=False)
class TaskState:
    """Everything known about one registered task.

    ``status``/``snapshot`` are the furthest accepted state; ``result`` is the terminal
    snapshot, set exactly once. The remaining fields are process-local plumbing (the
    waiters' future, the watchdog's timer) that a durable store need not persist.
    ``trace_id`` is the create's Trace-Id, from the :class:`~minimax_async._ref.TaskRef`
    the first waiter brought.
    """

    task_id: str
    status: TaskStatus = TaskStatus.UNKNOWN
    snapshot: TaskSnapshot | None = None
    result: TaskSnapshot | None = None
    trace_id: str | None = None
    future: asyncio.Future[TaskSnapshot] | None = None
    query: QueryFn | None = None
    timer: asyncio.TimerHandle | None = None
    waiters: int = 0
    polls: int = 0
    #: Polls in a row that got no answer (reset by any answer).
    failures: int = 0
    polling: bool = False
    #: A terminal push arrived that still needs confirming by a query.
    hint: bool = False


@runtime_checkable
class TaskRegistry(Protocol):
    """The store the task tracker uses; every method is synchronous and cheap."""

    def get(self, task_id: str) -> TaskState | None:
        """The state of a registered (or recently finished) task, else None."""

    def register(self, task_id: str) -> tuple[TaskState, TaskSnapshot | None]:
        """Get or create the task's state; also hand over (and drop) its early push."""

    def hold_early(self, snapshot: TaskSnapshot) -> bool:
        """Keep a push for a task not registered yet; False if it was not kept."""

    def advance(self, state: TaskState, snapshot: TaskSnapshot) -> bool:
        """Record a non-terminal snapshot if it moves the task forward; True if it did."""

    def resolve(self, state: TaskState, snapshot: TaskSnapshot) -> bool:
        """Record the terminal snapshot; True only the first time (exactly once)."""

    def forget(self, task_id: str) -> None:
        """Drop everything about the task (its early push too)."""

    def pending(self) -> list[TaskState]:
        """Registered tasks without a result yet."""


class InMemoryRegistry:
    """The default :class:`TaskRegistry`, local to this process.

    ``max_early`` pushes for unknown tasks are kept at most, each for ``early_ttl``
    seconds (the oldest goes first); ``max_finished`` finished tasks are remembered.
    """

    __slots__ = (
        "_clock",
        "_early",
        "_early_ttl",
        "_finished",
        "_max_early",
        "_max_finished",
        "_pending",
    )

    def __init__(
        self,
        *,
        max_early: int = 1024,
        early_ttl: float = 600.0,
        max_finished: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("max_early", max_early), ("max_finished", max_finished)):
            if value < 0:
                raise ValueError(f"{name}={value!r}: must be >= 0")
        if early_ttl < 0:
            raise ValueError(f"early_ttl={early_ttl!r}: must be >= 0")
        self._max_early = max_early
        self._early_ttl = early_ttl
        self._max_finished = max_finished
        self._clock = clock
        self._pending: dict[str, TaskState] = {}
        self._finished: OrderedDict[str, TaskState] = OrderedDict()
        # task_id -> (arrival time, furthest snapshot); insertion order = age order.
        self._early: OrderedDict[str, tuple[float, TaskSnapshot]] = OrderedDict()

    def get(self, task_id: str) -> TaskState | None:
        state = self._pending.get(task_id)
        return state if state is not None else self._finished.get(task_id)

    def register(self, task_id: str) -> tuple[TaskState, TaskSnapshot | None]:
        state = self.get(task_id)
        if state is None:
            state = TaskState(task_id)
            self._pending[task_id] = state
        self._expire_early()
        held = self._early.pop(task_id, None)
        return state, (held[1] if held is not None else None)

    def hold_early(self, snapshot: TaskSnapshot) -> bool:
        if self._max_early == 0:
            return False
        self._expire_early()
        task_id = snapshot.task_id
        held = self._early.get(task_id)
        if held is not None:
            # Keep only the furthest state; the first one seen wins a tie.
            if snapshot.status.rank > held[1].status.rank:
                self._early[task_id] = (held[0], snapshot)
            return True
        while len(self._early) >= self._max_early:
            self._early.popitem(last=False)
        self._early[task_id] = (self._clock(), snapshot)
        return True

    def advance(self, state: TaskState, snapshot: TaskSnapshot) -> bool:
        if state.result is not None or snapshot.status.rank <= state.status.rank:
            return False
        state.status = snapshot.status
        state.snapshot = snapshot
        return True

    def resolve(self, state: TaskState, snapshot: TaskSnapshot) -> bool:
        if state.result is not None:
            return False
        state.result = state.snapshot = snapshot
        state.status = snapshot.status
        state.hint = False
        if self._pending.pop(state.task_id, None) is not None and self._max_finished:
            self._finished[state.task_id] = state
            while len(self._finished) > self._max_finished:
                self._finished.popitem(last=False)
        return True

    def forget(self, task_id: str) -> None:
        self._pending.pop(task_id, None)
        self._finished.pop(task_id, None)
        self._early.pop(task_id, None)

    def pending(self) -> list[TaskState]:
        return list(self._pending.values())

    @property
    def early_count(self) -> int:
        """How many early pushes are held right now (after expiry)."""
        self._expire_early()
        return len(self._early)

    def _expire_early(self) -> None:
        if not self._early:
            return
        deadline = self._clock() - self._early_ttl
        while self._early:
            arrived, _ = next(iter(self._early.values()))
            if arrived > deadline:
                break
            self._early.popitem(last=False)
