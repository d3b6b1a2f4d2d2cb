"""The :class:`TaskJournal` protocol and the in-memory store.

Every store applies the same transitions (:class:`_Transitions`), so a status never
moves backwards, a result is recorded once, and a handler claim is exclusive, whatever
the backing engine. Stores differ only in where entries live and how a
read-modify-write is made atomic.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar, runtime_checkable

from minimax_async._status import TaskStatus
from minimax_async.durable._records import DEFAULT_RETENTION, EntryState, JournalEntry
from minimax_async.models import TaskSnapshot

__all__ = ("MemoryJournal", "TaskJournal")

T = TypeVar("T")

#: Automatic pruning runs at start and then at most this often (after a result).
_AUTO_PRUNE_EVERY = 3600.0


@runtime_checkable
class TaskJournal(Protocol):
    """Where creates, task ids, statuses, results and handler runs are recorded."""

    async def start(self) -> None:
        """Open the store (idempotent); raise a clear error if it cannot be reached."""

    async def aclose(self) -> None:
        """Release the store's resources."""

    async def record_intent(self, entry: JournalEntry) -> None:
        """Record a create before it is sent (a fresh, unique ``entry.key``)."""

    async def record_task(self, key: str, task_id: str, *, trace_id: str | None = None) -> None:
        """The create answered with ``task_id`` (also settles an ambiguous intent)."""

    async def record_refused(self, key: str, reason: str) -> None:
        """MiniMax provably created no task for this intent."""

    async def record_abandoned(self, key: str) -> None:
        """The caller reconciled an ambiguous intent as never created."""

    async def record_status(self, task_id: str, status: TaskStatus) -> bool:
        """Record a status if it moves the task forward; True if it did."""

    async def record_result(self, snapshot: TaskSnapshot) -> bool:
        """Record the terminal snapshot; True only the first time."""

    async def claim_handler(self, task_id: str, *, owner: str, lease: float) -> bool:
        """Claim the right to run the task's result handler for ``lease`` seconds."""

    async def release_handler(self, task_id: str, *, owner: str) -> None:
        """Give a claim back without marking the handler done (it failed)."""

    async def mark_handled(self, task_id: str, *, owner: str) -> None:
        """The handler completed: it never runs again for this task."""

    async def get(self, key: str) -> JournalEntry | None:
        """The entry recorded under client key ``key``."""

    async def get_task(self, task_id: str) -> JournalEntry | None:
        """The entry of task ``task_id``."""

    async def entries(self, states: Iterable[EntryState] | None = None) -> list[JournalEntry]:
        """Entries (all, or those in ``states``), oldest first."""

    async def prune(self, older_than: float | None = None) -> int:
        """Delete entries closed (finished, refused, abandoned) more than ``older_than``
        seconds ago (default: the store's ``retention``); returns how many went.

        Every store also prunes by itself when it starts and, at most hourly, after
        recording a result. Open entries (intents, submitted tasks) are never pruned.
        """


class _Transitions:
    """The journal's rules, over synchronous primitives each store provides."""

    clock: Callable[[], float] = time.time
    #: Seconds a closed entry is kept (None: forever); set by each store's constructor.
    retention: float | None = DEFAULT_RETENTION
    _next_prune: float = 0.0

    def _cutoff(self, older_than: float | None) -> float | None:
        """The closing time before which entries go, or None to keep everything."""
        age = older_than if older_than is not None else self.retention
        if age is None:
            return None
        if age < 0:
            raise ValueError(f"older_than={age!r}: must not be negative")
        return self.clock() - age

    def _prune_due(self) -> bool:
        """True at most once an hour (monotonic): time for an automatic prune."""
        now = time.monotonic()
        if self.retention is None or now < self._next_prune:
            return False
        self._next_prune = now + _AUTO_PRUNE_EVERY
        return True

    def _load(self, key: str) -> JournalEntry | None:
        raise NotImplementedError

    def _key_for(self, task_id: str) -> str | None:
        raise NotImplementedError

    def _save(self, entry: JournalEntry, *, new: bool = False) -> None:
        raise NotImplementedError

    def _get_claim(self, task_id: str) -> tuple[str, float] | None:
        raise NotImplementedError

    def _set_claim(self, task_id: str, claim: tuple[str, float] | None) -> None:
        raise NotImplementedError

    def _by_task(self, task_id: str) -> JournalEntry | None:
        key = self._key_for(task_id)
        return self._load(key) if key is not None else None

    def _intent(self, entry: JournalEntry) -> None:
        if self._load(entry.key) is not None:
            raise ValueError(f"journal key {entry.key!r} is already recorded")
        self._save(entry, new=True)

    def _task(self, key: str, task_id: str, trace_id: str | None) -> None:
        entry = self._require(key)
        if entry.task_id is not None and entry.task_id != task_id:
            raise ValueError(f"journal key {key!r} already has task {entry.task_id}")
        if entry.state in ("intent", "abandoned", "refused"):
            entry = entry.evolve(
                state="submitted", task_id=task_id, trace_id=trace_id, error=None, closed_at=None
            )
            self._save(entry)

    def _mark(self, key: str, state: EntryState, reason: str | None) -> None:
        entry = self._require(key)
        if entry.state == "intent":
            self._save(entry.evolve(state=state, error=reason, closed_at=self.clock()))

    def _status(self, task_id: str, status: TaskStatus) -> bool:
        entry = self._by_task(task_id)
        if entry is None or entry.state == "finished" or status.rank <= entry.status.rank:
            return False
        self._save(entry.evolve(status=status))
        return True

    def _result(self, snapshot: TaskSnapshot) -> bool:
        entry = self._by_task(snapshot.task_id)
        if entry is None or entry.state == "finished":
            return False
        finished = entry.evolve(
            state="finished", status=snapshot.status, snapshot=snapshot, closed_at=self.clock()
        )
        self._save(finished)
        return True

    def _claim(self, task_id: str, owner: str, lease: float) -> bool:
        entry = self._by_task(task_id)
        if entry is None or entry.state != "finished" or entry.handled:
            return False
        claim = self._get_claim(task_id)
        now = self.clock()
        if claim is not None and claim[0] != owner and claim[1] > now:
            return False
        self._set_claim(task_id, (owner, now + lease))
        return True

    def _release(self, task_id: str, owner: str) -> None:
        claim = self._get_claim(task_id)
        if claim is not None and claim[0] == owner:
            self._set_claim(task_id, None)

    def _handled(self, task_id: str, owner: str) -> None:
        entry = self._by_task(task_id)
        if entry is not None and not entry.handled:
            self._save(entry.evolve(handled=True))
        self._set_claim(task_id, None)

    def _require(self, key: str) -> JournalEntry:
        entry = self._load(key)
        if entry is None:
            raise KeyError(f"no journal entry for key {key!r}")
        return entry


class MemoryJournal(_Transitions):
    """The default journal: lives in this process, survives nothing. For tests and dev.

    ``retention``: seconds a closed entry is kept (default 7 days, see
    :data:`~minimax_async.durable._records.DEFAULT_RETENTION`; None keeps them all).
    """

    def __init__(self, *, retention: float | None = DEFAULT_RETENTION) -> None:
        self.retention = retention
        self._entries: dict[str, JournalEntry] = {}
        self._tasks: dict[str, str] = {}
        self._claims: dict[str, tuple[str, float]] = {}

    def _load(self, key: str) -> JournalEntry | None:
        return self._entries.get(key)

    def _key_for(self, task_id: str) -> str | None:
        return self._tasks.get(task_id)

    def _save(self, entry: JournalEntry, *, new: bool = False) -> None:
        self._entries[entry.key] = entry
        if entry.task_id is not None:
            self._tasks[entry.task_id] = entry.key

    def _get_claim(self, task_id: str) -> tuple[str, float] | None:
        return self._claims.get(task_id)

    def _set_claim(self, task_id: str, claim: tuple[str, float] | None) -> None:
        if claim is None:
            self._claims.pop(task_id, None)
        else:
            self._claims[task_id] = claim

    async def start(self) -> None:
        """Nothing to open."""

    async def aclose(self) -> None:
        """Nothing to release."""

    async def record_intent(self, entry: JournalEntry) -> None:
        self._intent(entry)

    async def record_task(self, key: str, task_id: str, *, trace_id: str | None = None) -> None:
        self._task(key, task_id, trace_id)

    async def record_refused(self, key: str, reason: str) -> None:
        self._mark(key, "refused", reason)

    async def record_abandoned(self, key: str) -> None:
        self._mark(key, "abandoned", "reconciled as never created")

    async def record_status(self, task_id: str, status: TaskStatus) -> bool:
        return self._status(task_id, status)

    async def record_result(self, snapshot: TaskSnapshot) -> bool:
        recorded = self._result(snapshot)
        if recorded and self._prune_due():
            await self.prune()
        return recorded

    async def claim_handler(self, task_id: str, *, owner: str, lease: float) -> bool:
        return self._claim(task_id, owner, lease)

    async def release_handler(self, task_id: str, *, owner: str) -> None:
        self._release(task_id, owner)

    async def mark_handled(self, task_id: str, *, owner: str) -> None:
        self._handled(task_id, owner)

    async def get(self, key: str) -> JournalEntry | None:
        return self._load(key)

    async def get_task(self, task_id: str) -> JournalEntry | None:
        return self._by_task(task_id)

    async def entries(self, states: Iterable[EntryState] | None = None) -> list[JournalEntry]:
        wanted = set(states) if states is not None else None
        found = [e for e in self._entries.values() if wanted is None or e.state in wanted]
        return sorted(found, key=lambda e: e.created_at)

    async def prune(self, older_than: float | None = None) -> int:
        cutoff = self._cutoff(older_than)
        if cutoff is None:
            return 0
        gone = [e for e in self._entries.values() if e.closed_before(cutoff)]
        for entry in gone:
            self._forget(entry)
        return len(gone)

    def _forget(self, entry: JournalEntry) -> None:
        """Drop one entry, its task-id mapping and its handler claim."""
        del self._entries[entry.key]
        if entry.task_id is not None:
            self._tasks.pop(entry.task_id, None)
            self._claims.pop(entry.task_id, None)
