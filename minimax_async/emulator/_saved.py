"""The emulator's tasks, files and timings, kept in a file across runs.

``Emulator(state_file=path)`` restores what earlier emulators left there and appends
every new task, status change and upload, so a task created in one run can be queried,
finished, cancelled and downloaded in the next, as with MiniMax. That holds for V1 and
template (Video Agent) tasks and their files, and for V2 (MiniMax-H3) tasks and the
files uploaded for them (``mm_file://`` references). The command line's embedded
emulator uses a per-user cache file.

The file is JSON Lines, one line per change (the most advanced record of a task wins)::

    {"task": {...}, "schedule": [["Queueing", T1], ["Processing", T2], ["Success", T3]]}
    {"file": {...}}
    {"v2_task": {...}, "schedule": [["running", T1], ["succeeded", T2]]}
    {"v2_file": {...}}

``schedule`` holds the wall-clock time of each status, computed when the task was
created, so a restored task moves on at the times it would have anyway (and a task
whose times have passed finishes at once); an ended V2 task has none left, so a
cancelled one stays cancelled. Create bodies are not kept: they can hold 20 MB images
and nothing answers from them (a V2 task keeps its text items, see ``_v2_saved``), nor
are download links, which die with the server that minted them. Older files (V1 lines
only) load as they are; a line that cannot be read, or of a kind this emulator does
not know, is skipped with a warning.

Writes are ``O_APPEND`` under a shared ``flock``; loading (and compacting, past 4 MB,
dropping records created over a day ago) holds it exclusively, so several processes
can share one file. One race is left: two processes that both hold the same unfinished
task each finish it on their own timer and mint a file id of their own; the next load
keeps one of them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from minimax_async.emulator import _v2_saved as v2_saved
from minimax_async.emulator._lifecycle import Lifecycle
from minimax_async.emulator._state import Clock, FileRecord, Store, TaskRecord
from minimax_async.emulator._status import Status, V2Status
from minimax_async.emulator._v2_lifecycle import V2Schedule
from minimax_async.emulator._v2_routes import V2Api
from minimax_async.emulator._v2_state import Upload, V2Task

if sys.platform != "win32":
    import fcntl

__all__ = ("SavedState",)

logger = logging.getLogger(__name__)

_COMPACT_AT = 4 << 20
_KEEP_SECONDS = 86400.0

R = TypeVar("R")
Line = dict[str, Any]
Schedule = list[tuple[Status, float]]


@dataclass(frozen=True)
class _Entry(Generic[R]):
    """One record as read back, and the line it came from (a compaction writes it again)."""

    line: Line
    record: R
    born: float  # real time it was created: a compaction drops old ones
    progress: int = 0  # statuses it has had: the most advanced line of a task wins


@dataclass
class _Saved:
    """What a state file holds, by id: per task the most advanced line, else the last."""

    tasks: dict[str, _Entry[tuple[TaskRecord, Schedule]]] = field(default_factory=dict)
    files: dict[str, _Entry[FileRecord]] = field(default_factory=dict)
    v2_tasks: dict[str, _Entry[tuple[V2Task, V2Schedule]]] = field(default_factory=dict)
    uploads: dict[str, _Entry[Upload]] = field(default_factory=dict)

    def add(self, line: Line, clock: Clock) -> None:
        """Take in one line; KeyError, TypeError or ValueError if it is garbled."""
        if "task" in line:
            task = _task_from(line["task"])
            schedule = [(Status.parse(s), float(at)) for s, at in line["schedule"]]
            entry = _Entry(line, (task, schedule), task.created_at, len(task.history))
            _keep(self.tasks, task.task_id, entry)
        elif "file" in line:
            file = FileRecord(**{**line["file"], "path": Path(line["file"]["path"])})
            _keep(self.files, file.file_id, _Entry(line, file, file.created_at))
        elif "v2_task" in line:
            v2_task = v2_saved.task_from(line["v2_task"], clock)
            v2_schedule = [(V2Status(s), float(at)) for s, at in line["schedule"]]
            born = v2_saved.born_of(line["v2_task"])
            v2_entry = _Entry(line, (v2_task, v2_schedule), born, len(v2_task.history))
            _keep(self.v2_tasks, v2_task.task_id, v2_entry)
        elif "v2_file" in line:
            upload = v2_saved.upload_from(line["v2_file"], clock)
            born = v2_saved.born_of(line["v2_file"])
            _keep(self.uploads, upload.file_id, _Entry(line, upload, born))
        else:
            raise ValueError(f"no record this emulator knows, only {sorted(line)}")

    def recent(self, cutoff: float) -> _Saved:
        """Only the records created at ``cutoff`` or later (a task's file is as old)."""
        return _Saved(
            tasks=_since(self.tasks, cutoff),
            files=_since(self.files, cutoff),
            v2_tasks=_since(self.v2_tasks, cutoff),
            uploads=_since(self.uploads, cutoff),
        )

    def lines(self) -> Iterator[Line]:
        for bucket in (self.tasks, self.files, self.v2_tasks, self.uploads):
            for entry in bucket.values():
                yield entry.line


def _keep(bucket: dict[str, _Entry[R]], ident: str, entry: _Entry[R]) -> None:
    known = bucket.get(ident)
    if known is None or entry.progress >= known.progress:
        bucket[ident] = entry


def _since(bucket: dict[str, _Entry[R]], cutoff: float) -> dict[str, _Entry[R]]:
    return {ident: entry for ident, entry in bucket.items() if entry.born >= cutoff}


class SavedState:
    """Restores a :class:`Store` (and the V2 side) from ``path``; appends each change."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # -- restore -----------------------------------------------------------------------

    def restore(self, store: Store, lifecycle: Lifecycle, v2: V2Api) -> None:
        """Load every saved task and file, and let unfinished tasks go on."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(exclusive=True) as fd:
            saved = _read(self.path, store.clock)
            if os.fstat(fd).st_size > _COMPACT_AT:
                saved = saved.recent(time.time() - _KEEP_SECONDS)
                self._rewrite(saved)
        for file in saved.files.values():
            store.files.setdefault(file.record.file_id, file.record)
        for task, schedule in (entry.record for entry in saved.tasks.values()):
            if task.task_id not in store.tasks:
                store.tasks[task.task_id] = task
                lifecycle.resume(task, schedule)
        for upload in saved.uploads.values():
            v2.uploads.setdefault(upload.record.file_id, upload.record)
        for v2_task, v2_schedule in (entry.record for entry in saved.v2_tasks.values()):
            if v2_task.task_id not in v2.tasks:
                v2.tasks[v2_task.task_id] = v2_task
                v2.lifecycle.resume(v2_task, v2_schedule)
        logger.info(
            "emulator state: %d tasks, %d V2 tasks restored from %s",
            len(saved.tasks),
            len(saved.v2_tasks),
            self.path,
        )

    # -- save --------------------------------------------------------------------------

    def record(self, store: Store, lifecycle: Lifecycle, task: TaskRecord) -> None:
        """Append ``task`` as it is now (and its file, once it has one)."""
        lines: list[Line] = [{"task": _task_to(task), "schedule": lifecycle.schedule(task)}]
        file = store.files.get(task.file_id) if task.file_id else None
        if file is not None:
            lines.append({"file": {**asdict(file), "path": str(file.path)}})
        self._append(lines)

    def record_v2(self, store: Store, v2: V2Api, item: V2Task | Upload) -> None:
        """Append a V2 task as it is now (with what is left of its schedule), or an upload."""
        if isinstance(item, V2Task):
            schedule = [[status.value, at] for status, at in v2.lifecycle.schedule(item)]
            line = {"v2_task": v2_saved.task_line(item, store.clock), "schedule": schedule}
        else:
            line = {"v2_file": v2_saved.upload_line(item, store.clock)}
        self._append([line])

    def _append(self, lines: list[Line]) -> None:
        data = "".join(json.dumps(line) + "\n" for line in lines).encode()
        try:
            with self._locked(exclusive=False) as fd:
                os.write(fd, data)
        except OSError as exc:
            # A cache: the emulator goes on serving from memory.
            logger.warning("emulator state: cannot write %s: %s", self.path, exc)

    # -- the file ----------------------------------------------------------------------

    @contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[int]:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                if sys.platform != "win32":
                    fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
                # A compaction may have replaced the file while we waited for the lock.
                if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                    yield fd
                    return
            finally:
                os.close(fd)

    def _rewrite(self, saved: _Saved) -> None:
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            for line in saved.lines():
                out.write(json.dumps(line) + "\n")
        os.replace(temporary, self.path)


def _task_to(task: TaskRecord) -> dict[str, Any]:
    data = asdict(task)
    data.update(
        request={},
        asset=str(task.asset),
        status=task.status.value,
        history=[status.value for status in task.history],
    )
    return data


def _task_from(data: dict[str, Any]) -> TaskRecord:
    task = TaskRecord(
        **{
            **data,
            "asset": Path(data["asset"]),
            "status": Status.parse(data["status"]),
            "history": [Status.parse(s) for s in data["history"]],
        }
    )
    # Download links died with the server that minted them; a new one is minted.
    task.video_url = None
    return task


def _read(path: Path, clock: Clock) -> _Saved:
    saved = _Saved()
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            saved.add(json.loads(line), clock)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("emulator state %s line %d unreadable, skipped: %s", path, number, exc)
    return saved
