"""``JSONLJournal``: a journal in one append-only JSON Lines file, for one process.

The command line's batch journal (``OUT_DIR/journal.jsonl``): readable with ``jq``,
no database, the same rules as every other store (it *is* the in-memory store, with
every change also appended to the file). Each change is one line, written with a
single ``write`` and ``fsync``-ed before the call returns::

    {"key": ..., "state": "intent", "fingerprint": ..., "body": {...}, ...}   an entry
    {"claim": TASK_ID, "owner": ..., "until": ...}                            a handler claim
    {"forget": KEY}                                                           pruned (retention)

Reading replays the lines in order (the last word on a key wins). A torn last line
(the process killed mid-write) is dropped and cut off so the next record starts on a
fresh line; any other unreadable line is skipped with a warning.

The file is held with an exclusive OS lock (``flock``) while the journal is open: a
second process gets :class:`JournalLockedError` at ``start()``. The kernel releases
the lock on any exit, SIGKILL included. (Several processes sharing one journal need
:class:`SQLiteJournal` or :class:`RedisJournal`.) Writes block the event loop for one
``fsync``: fine at MiniMax's tens of creates a minute.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from minimax_async._exceptions import ClosedError, JournalLockedError
from minimax_async.durable._journal import MemoryJournal
from minimax_async.durable._records import DEFAULT_RETENTION, JournalEntry

__all__ = ("JSONLJournal",)

logger = logging.getLogger(__name__)

if sys.platform != "win32":
    import fcntl


class JSONLJournal(MemoryJournal):
    """A :class:`TaskJournal` kept in a JSON Lines file, locked to one process."""

    def __init__(self, path: str | Path, *, retention: float | None = DEFAULT_RETENTION) -> None:
        super().__init__(retention=retention)
        self.path = Path(path)
        self._fd: int | None = None
        self._closed = False

    async def start(self) -> None:
        """Take the lock, replay the file, drop a torn tail (idempotent)."""
        if self._closed:
            raise ClosedError("this JSONLJournal was closed; create a new one")
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            _lock(fd, self.path)
            good_length = self._replay()
            if os.fstat(fd).st_size != good_length:
                logger.warning("%s: dropping a torn last line", self.path)
                os.ftruncate(fd, good_length)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        if self.retention is not None:
            await self.prune()

    async def aclose(self) -> None:
        """Close the file and release the lock; every record is already durable."""
        self._closed = True
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the flock

    async def __aenter__(self) -> JSONLJournal:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- reading -----------------------------------------------------------------------

    def _replay(self) -> int:
        """Apply every whole line; returns their byte length (a torn tail excluded)."""
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1  # a tail without its newline was torn mid-write
        for number, raw in enumerate(data[:end].splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                self._apply(json.loads(raw))
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning("%s line %d unreadable, skipped: %s", self.path, number, exc)
        return end

    def _apply(self, record: dict[str, Any]) -> None:
        if "forget" in record:
            entry = self._entries.get(str(record["forget"]))
            if entry is not None:
                super()._forget(entry)
        elif "claim" in record:
            owner = record.get("owner")
            claim = None if owner is None else (str(owner), float(record["until"]))
            super()._set_claim(str(record["claim"]), claim)
        else:
            super()._save(JournalEntry.from_json(json.dumps(record)))

    # -- writing (the primitives MemoryJournal's rules call) -----------------------------

    def _save(self, entry: JournalEntry, *, new: bool = False) -> None:
        self._append(entry.to_json())
        super()._save(entry, new=new)

    def _set_claim(self, task_id: str, claim: tuple[str, float] | None) -> None:
        owner, until = claim if claim is not None else (None, None)
        self._append(json.dumps({"claim": task_id, "owner": owner, "until": until}))
        super()._set_claim(task_id, claim)

    def _forget(self, entry: JournalEntry) -> None:
        # Pruned for good: a tombstone, so a replay does not bring the entry back.
        self._append(json.dumps({"forget": entry.key}))
        super()._forget(entry)

    def _append(self, line: str) -> None:
        if self._fd is None:
            raise ClosedError(f"the journal {self.path} is not open; call start() first")
        data = (line + "\n").encode("utf-8")
        # One write call per record: an interrupt between bytecodes cannot split it.
        written = os.write(self._fd, data)
        if written != len(data):
            raise OSError(f"short write to {self.path}: {written} of {len(data)} bytes")
        os.fsync(self._fd)

    def __repr__(self) -> str:
        return f"<JSONLJournal {self.path}>"


def _lock(fd: int, path: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - no flock: one process is up to you
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalLockedError(
            f"{path} is in use by another process (one batch per output directory)"
        ) from None
