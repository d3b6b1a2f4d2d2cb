"""The emulator's tasks, files and timings, kept in a file across runs.

``Emulator(state_file=path)`` restores what earlier emulators left there and appends
every new task and status change, so a task created in one run can be queried,
finished and downloaded in the next, as with MiniMax. The command line's embedded
emulator uses a per-user cache file.

The file is JSON Lines, one line per change (the most advanced record of a task wins)::

    {"task": {...}, "schedule": [["Queueing", T1], ["Processing", T2], ["Success", T3]]}
    {"file": {...}}

``schedule`` holds the wall-clock time of each status, computed when the task was
created, so a restored task moves on at the times it would have anyway (and a task
whose times have passed finishes at once). Create bodies are not kept: they can hold
20 MB images and nothing answers from them. Writes are ``O_APPEND`` under a shared
``flock``; loading (and compacting, past 4 MB, dropping tasks older than a day) holds it
exclusively, so several processes can share one file. One race is left: two processes
that both hold the same unfinished task each finish it on their own timer and mint a
file id of their own; the next load keeps one of them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from minimax_async.emulator._lifecycle import Lifecycle
from minimax_async.emulator._state import FileRecord, Store, TaskRecord
from minimax_async.emulator._status import Status

if sys.platform != "win32":
    import fcntl

__all__ = ("SavedState",)

logger = logging.getLogger(__name__)

_COMPACT_AT = 4 << 20
_KEEP_SECONDS = 86400.0


class SavedState:
    """Restores a :class:`Store` from ``path`` and appends each change to it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # -- restore -----------------------------------------------------------------------

    def restore(self, store: Store, lifecycle: Lifecycle) -> None:
        """Load every saved task and file, and let unfinished tasks go on."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(exclusive=True) as fd:
            tasks, files = _read(self.path)
            if os.fstat(fd).st_size > _COMPACT_AT:
                tasks, files = _recent(tasks, files)
                self._rewrite(tasks, files)
        for data in files.values():
            record = FileRecord(**{**data, "path": Path(data["path"])})
            store.files.setdefault(record.file_id, record)
        for data, schedule in tasks.values():
            if data["task_id"] in store.tasks:
                continue
            task = _task_from(data)
            store.tasks[task.task_id] = task
            lifecycle.resume(task, [(Status.parse(s), float(at)) for s, at in schedule])
        logger.info("emulator state: %d tasks restored from %s", len(tasks), self.path)

    # -- save --------------------------------------------------------------------------

    def record(self, store: Store, lifecycle: Lifecycle, task: TaskRecord) -> None:
        """Append ``task`` as it is now (and its file, once it has one)."""
        lines = [json.dumps({"task": _task_to(task), "schedule": lifecycle.schedule(task)})]
        file = store.files.get(task.file_id) if task.file_id else None
        if file is not None:
            lines.append(json.dumps({"file": {**asdict(file), "path": str(file.path)}}))
        data = "".join(line + "\n" for line in lines).encode()
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

    def _rewrite(self, tasks: dict[str, Any], files: dict[str, Any]) -> None:
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            for data, schedule in tasks.values():
                out.write(json.dumps({"task": data, "schedule": schedule}) + "\n")
            for data in files.values():
                out.write(json.dumps({"file": data}) + "\n")
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


def _read(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per task id the most advanced (record, schedule); per file id its record."""
    tasks: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            item = json.loads(line)
            if "file" in item:
                files[str(item["file"]["file_id"])] = item["file"]
                continue
            task, schedule = item["task"], item["schedule"]
            known = tasks.get(task["task_id"])
            if known is None or len(task["history"]) >= len(known[0]["history"]):
                tasks[task["task_id"]] = (task, schedule)
        except (ValueError, KeyError, TypeError) as exc:
            logger.warning("emulator state %s line %d unreadable, skipped: %s", path, number, exc)
    return tasks, files


def _recent(tasks: dict[str, Any], files: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    cutoff = time.time() - _KEEP_SECONDS
    kept = {tid: item for tid, item in tasks.items() if item[0]["created_at"] >= cutoff}
    wanted = {item[0]["file_id"] for item in kept.values()}
    return kept, {fid: data for fid, data in files.items() if fid in wanted}
