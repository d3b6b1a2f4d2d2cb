"""The batch journal: what was sent, what exists, what finished, in ``journal.jsonl``.

A create costs money and MiniMax has no idempotency key, so the journal is how a
re-run after a crash or Ctrl-C avoids paying twice. It is append-only, one JSON object
per line, each written with a single ``write`` and ``fsync``-ed before we go on::

    {"event": "submitting", "job": KEY, "line": N, "fingerprint": SHA256}  before the create
    {"event": "created", "job": KEY, "task_id": "..."}                    as soon as it exists
    {"event": "finished", "job": KEY, "status": "Success"|"Fail", ...}    result saved or failed
    {"event": "ambiguous", "job": KEY, "error": "..."}                     create outcome unknown
    {"event": "error", "job": KEY, "task_id": ..., "error": "..."}        e.g. a download failed

Reading folds the events per job (the last word wins) into a :class:`JournalEntry`.
A torn last line (the process killed mid-write) is dropped and cut off the file so the
next record starts on a fresh line; any other unreadable line is skipped.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ("JOURNAL_NAME", "Journal", "JournalEntry")

logger = logging.getLogger(__name__)

JOURNAL_NAME = "journal.jsonl"


@dataclass
class JournalEntry:
    """Everything the journal knows about one job."""

    key: str
    line: int | None = None
    fingerprint: str | None = None
    task_id: str | None = None
    submitted: bool = False
    ambiguous: bool = False
    finished: dict[str, Any] | None = field(default=None)

    @property
    def state(self) -> str:
        """``finished``, ``created`` (a task id exists), ``unknown`` (sent, no id) or ``new``."""
        if self.finished is not None:
            return "finished"
        if self.task_id is not None:
            return "created"
        if self.submitted or self.ambiguous:
            return "unknown"
        return "new"

    def apply(self, record: dict[str, Any]) -> None:
        """Fold one journal record into this entry."""
        event = record.get("event")
        if event == "submitting":
            # A resubmission starts over: an earlier unknown outcome is superseded.
            self.line = record.get("line", self.line)
            self.fingerprint = record.get("fingerprint", self.fingerprint)
            self.submitted = True
            self.ambiguous = False
            self.task_id = None
            self.finished = None
        elif event == "created":
            self.task_id = str(record["task_id"])
            self.ambiguous = False
        elif event == "finished":
            self.finished = record
        elif event == "ambiguous":
            self.ambiguous = True


def _read(path: Path) -> tuple[dict[str, JournalEntry], int]:
    """Entries by job key, and the byte length of the whole lines (torn tail excluded)."""
    entries: dict[str, JournalEntry] = {}
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return entries, 0
    end = data.rfind(b"\n") + 1  # a tail without a newline was torn mid-write
    for number, raw in enumerate(data[:end].splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            key = record["job"]
            if not isinstance(key, str):
                raise TypeError("job key is not a string")
            entries.setdefault(key, JournalEntry(key)).apply(record)
        except (ValueError, KeyError, TypeError) as exc:
            logger.warning("%s line %d unreadable, skipped: %s", path, number, exc)
    return entries, end


class Journal:
    """An open journal file: read on open, then appended to record by record.

    ::

        with Journal(out_dir / JOURNAL_NAME) as journal:
            entry = journal.entries.get(job.key)
            journal.record("submitting", job.key, line=3, fingerprint=...)
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, JournalEntry] = {}
        self._fd: int | None = None

    def open(self) -> None:
        """Read what is there, drop a torn tail, and open for appending."""
        self.entries, good_length = _read(self.path)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        if os.fstat(fd).st_size != good_length:
            logger.warning("%s: dropping a torn last line", self.path)
            os.ftruncate(fd, good_length)
        self._fd = fd

    def record(self, event: str, job: str, **fields: Any) -> None:
        """Append one event durably (written and fsynced before returning)."""
        if self._fd is None:
            raise RuntimeError("journal is not open")
        record = {"event": event, "job": job, **fields}
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        data = line.encode("utf-8")
        # One write call per record: an interrupt between bytecodes cannot split it.
        written = os.write(self._fd, data)
        if written != len(data):
            raise OSError(f"short write to {self.path}: {written} of {len(data)} bytes")
        os.fsync(self._fd)
        self.entries.setdefault(job, JournalEntry(job)).apply(record)

    def close(self) -> None:
        """Close the file; records are already durable."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> Journal:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
