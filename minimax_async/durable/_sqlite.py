"""``SQLiteJournal``: one machine, many processes, survives kill -9 and reboots.

The standard library's ``sqlite3`` in WAL mode, each operation run in a worker thread
(``anyio.to_thread``) inside ``BEGIN IMMEDIATE``: the write lock is taken up front, so
a read-modify-write (a status that must not go backwards, an exclusive handler claim)
is atomic across every process sharing the file. No extra dependency: aiosqlite would
be the same thread-per-connection design with one more package to keep current.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal, TypeVar

import anyio
import anyio.to_thread

from minimax_async._exceptions import ClosedError
from minimax_async._status import TaskStatus
from minimax_async.durable._journal import _Transitions
from minimax_async.durable._records import DEFAULT_RETENTION, EntryState, JournalEntry
from minimax_async.models import TaskSnapshot

__all__ = ("SQLiteJournal",)

T = TypeVar("T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries ("
    " key TEXT PRIMARY KEY, task_id TEXT UNIQUE, state TEXT NOT NULL,"
    " created_at REAL NOT NULL, data TEXT NOT NULL, closed_at REAL)",
    "CREATE INDEX IF NOT EXISTS entries_state ON entries(state, created_at)",
    "CREATE TABLE IF NOT EXISTS claims (task_id TEXT PRIMARY KEY, owner TEXT, until REAL)",
)
#: Retention: when each entry closed, indexed so a prune touches only what it deletes.
#: A file from before the column existed gets it, its closed entries dated by creation.
_UPGRADE = (
    "ALTER TABLE entries ADD COLUMN closed_at REAL",
    "UPDATE entries SET closed_at = created_at"
    " WHERE closed_at IS NULL AND state IN ('finished', 'refused', 'abandoned')",
)
_CLOSED_INDEX = "CREATE INDEX IF NOT EXISTS entries_closed ON entries(closed_at)"
#: Rows deleted per statement, so a big prune never holds the write lock for long.
_PRUNE_BATCH = 5000


class SQLiteJournal(_Transitions):
    """A journal in an SQLite file (WAL mode), shareable by processes on one machine.

    ``synchronous="FULL"`` (the default) also survives power loss; ``"NORMAL"`` is
    faster and still survives a process crash (kill -9), which is what WAL guarantees.
    ``retention``: seconds a closed entry is kept (default 7 days; None keeps all).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        busy_timeout: float = 30.0,
        retention: float | None = DEFAULT_RETENTION,
    ) -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous={synchronous!r}: must be 'FULL' or 'NORMAL'")
        self.path = Path(path)
        self.retention = retention
        self._synchronous = synchronous
        self._busy_ms = int(busy_timeout * 1000)
        self._db: sqlite3.Connection | None = None
        # One connection, used by one thread at a time.
        self._lock = threading.Lock()
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        if self._closed:
            raise ClosedError("this SQLiteJournal was closed; create a new one")
        if self._db is None:
            self._db = await anyio.to_thread.run_sync(self._open)
            if self._prune_due():
                await self.prune()

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout={self._busy_ms}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={self._synchronous}")
            for statement in _SCHEMA:
                db.execute(statement)
            columns = {row[1] for row in db.execute("PRAGMA table_info(entries)")}
            if "closed_at" not in columns:
                for statement in _UPGRADE:
                    db.execute(statement)
            db.execute(_CLOSED_INDEX)
        except sqlite3.Error as exc:
            raise OSError(f"cannot open the journal database {self.path}: {exc}") from exc
        return db

    async def aclose(self) -> None:
        self._closed = True
        db, self._db = self._db, None
        if db is not None:
            await anyio.to_thread.run_sync(self._close, db)

    def _close(self, db: sqlite3.Connection) -> None:
        with self._lock:
            db.close()

    async def __aenter__(self) -> SQLiteJournal:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- the atomic unit ---------------------------------------------------------------

    async def _run(self, operation: Callable[[], T]) -> T:
        if self._db is None:
            await self.start()
        return await anyio.to_thread.run_sync(self._transaction, operation)

    def _transaction(self, operation: Callable[[], T]) -> T:
        db = self._conn()
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = operation()
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise ClosedError("the journal is closed")
        return self._db

    # -- primitives (called inside _transaction) ----------------------------------------

    def _load(self, key: str) -> JournalEntry | None:
        row = self._conn().execute("SELECT data FROM entries WHERE key=?", (key,)).fetchone()
        return JournalEntry.from_json(row[0]) if row else None

    def _key_for(self, task_id: str) -> str | None:
        row = self._conn().execute("SELECT key FROM entries WHERE task_id=?", (task_id,)).fetchone()
        return str(row[0]) if row else None

    def _save(self, entry: JournalEntry, *, new: bool = False) -> None:
        self._conn().execute(
            "INSERT INTO entries(key, task_id, state, created_at, data, closed_at)"
            " VALUES(?,?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET task_id=excluded.task_id, state=excluded.state,"
            " data=excluded.data, closed_at=excluded.closed_at",
            (
                entry.key,
                entry.task_id,
                entry.state,
                entry.created_at,
                entry.to_json(),
                (entry.closed_at or entry.created_at) if entry.closed else None,
            ),
        )

    def _get_claim(self, task_id: str) -> tuple[str, float] | None:
        row = (
            self._conn()
            .execute("SELECT owner, until FROM claims WHERE task_id=?", (task_id,))
            .fetchone()
        )
        return (str(row[0]), float(row[1])) if row else None

    def _set_claim(self, task_id: str, claim: tuple[str, float] | None) -> None:
        if claim is None:
            self._conn().execute("DELETE FROM claims WHERE task_id=?", (task_id,))
        else:
            self._conn().execute(
                "INSERT OR REPLACE INTO claims(task_id, owner, until) VALUES(?,?,?)",
                (task_id, *claim),
            )

    def _select(self, states: list[str] | None) -> list[JournalEntry]:
        if states is None:
            rows = self._conn().execute("SELECT data FROM entries ORDER BY created_at")
        else:
            marks = ",".join("?" * len(states))
            rows = self._conn().execute(
                f"SELECT data FROM entries WHERE state IN ({marks}) ORDER BY created_at", states
            )
        return [JournalEntry.from_json(row[0]) for row in rows.fetchall()]

    # -- the protocol ------------------------------------------------------------------

    async def record_intent(self, entry: JournalEntry) -> None:
        await self._run(lambda: self._intent(entry))

    async def record_task(self, key: str, task_id: str, *, trace_id: str | None = None) -> None:
        await self._run(lambda: self._task(key, task_id, trace_id))

    async def record_refused(self, key: str, reason: str) -> None:
        await self._run(lambda: self._mark(key, "refused", reason))

    async def record_abandoned(self, key: str) -> None:
        await self._run(lambda: self._mark(key, "abandoned", "reconciled as never created"))

    async def record_status(self, task_id: str, status: TaskStatus) -> bool:
        return await self._run(lambda: self._status(task_id, status))

    async def record_result(self, snapshot: TaskSnapshot) -> bool:
        recorded = await self._run(lambda: self._result(snapshot))
        if recorded and self._prune_due():
            await self.prune()
        return recorded

    async def claim_handler(self, task_id: str, *, owner: str, lease: float) -> bool:
        return await self._run(lambda: self._claim(task_id, owner, lease))

    async def release_handler(self, task_id: str, *, owner: str) -> None:
        await self._run(lambda: self._release(task_id, owner))

    async def mark_handled(self, task_id: str, *, owner: str) -> None:
        await self._run(lambda: self._handled(task_id, owner))

    async def get(self, key: str) -> JournalEntry | None:
        return await self._run(lambda: self._load(key))

    async def get_task(self, task_id: str) -> JournalEntry | None:
        return await self._run(lambda: self._by_task(task_id))

    async def entries(self, states: Iterable[EntryState] | None = None) -> list[JournalEntry]:
        wanted = [str(state) for state in states] if states is not None else None
        return await self._run(lambda: self._select(wanted))

    async def prune(self, older_than: float | None = None) -> int:
        cutoff = self._cutoff(older_than)
        if cutoff is None:
            return 0
        total = 0
        while True:
            # One transaction per batch: other processes get the lock in between.
            gone = await self._run(lambda: self._prune_batch(cutoff))
            total += gone
            if gone < _PRUNE_BATCH:
                return total

    def _prune_batch(self, cutoff: float) -> int:
        db = self._conn()
        rows = db.execute(
            "SELECT key, task_id FROM entries WHERE closed_at < ? LIMIT ?", (cutoff, _PRUNE_BATCH)
        ).fetchall()
        db.executemany("DELETE FROM entries WHERE key=?", [(row[0],) for row in rows])
        tasks = [(row[1],) for row in rows if row[1] is not None]
        db.executemany("DELETE FROM claims WHERE task_id=?", tasks)
        return len(rows)

    def __repr__(self) -> str:
        return f"<SQLiteJournal {self.path}>"
