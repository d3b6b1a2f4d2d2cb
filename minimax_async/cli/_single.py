"""One task from created to saved: what ``generate``, ``template run`` and ``wait`` share.

While it waits it shows the task's status, the elapsed time and its id: a live line on
a terminal (with ``rich``), one plain line per status change otherwise. Ctrl-C or
``--timeout`` stops the waiting, never the task: it keeps running (and billing) at
MiniMax, and the command that collects it is printed. A download that fails after the
task succeeded prints the file id and the command that fetches it.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from minimax_async._client import AsyncMiniMax
from minimax_async._exceptions import MiniMaxError, TaskFailedError, TaskTimeoutError
from minimax_async._status import TaskStatus
from minimax_async._tasks import V2VideoTask, VideoAgentTask, VideoTask
from minimax_async.cli._exit import API_ERROR, INTERRUPTED, OK, TASK_FAILED, TIMEOUT, CliError
from minimax_async.cli._output import Output
from minimax_async.cli._progress import rich_wanted, start_live
from minimax_async.cli._results import failed_record, poll_until_done, save_snapshot
from minimax_async.cli._runner import Interrupt
from minimax_async.models import TaskSnapshot

__all__ = ("TaskDisplay", "check_out_file", "collect")

Task = VideoTask | VideoAgentTask | V2VideoTask


def check_out_file(path: Path | None, flag: str = "--out") -> None:
    """Refuse an output path that cannot be written, before any create is paid for.

    The directory must exist and accept a new file: checked by creating (and removing)
    one, which is the only test that also holds for root, read-only mounts and
    immutable directories.
    """
    target = path if path is not None else Path("TASK_ID.mp4")
    shown = f"{flag} {target}" if path is not None else "the current directory"
    if target.is_dir():
        raise CliError(f"{shown}: is a directory; give a file name such as {target / 'x.mp4'}")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise CliError(f"{shown}: the directory {folder} does not exist; nothing was sent")
    if not folder.is_dir():
        raise CliError(f"{shown}: {folder} is not a directory; nothing was sent")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".minimax-async-", suffix=".check")
    except OSError as exc:
        raise CliError(
            f"{shown}: cannot write in {folder} ({exc.strerror or exc}); nothing was sent"
        ) from None
    os.close(fd)
    os.unlink(probe)


class TaskDisplay:
    """Status, elapsed time and task id of one task, live on a TTY, as lines otherwise."""

    def __init__(self, task_id: str, *, stream: TextIO, live: bool | None = None) -> None:
        self.task_id = task_id
        self.status = "submitted"
        self._stream = stream
        self._started = time.monotonic()
        self._live_wanted = rich_wanted(stream) if live is None else live
        self._live: Any = None

    def elapsed(self) -> str:
        return f"{time.monotonic() - self._started:.0f}s"

    def line(self) -> str:
        return f"task {self.task_id}: {self.status} ({self.elapsed()})"

    def show(self, status: TaskStatus) -> None:
        if status.value == self.status:
            return
        self.status = status.value
        if self._live is None:
            print(f"minimax-async: {self.line()}", file=self._stream, flush=True)

    def _render(self) -> Any:
        from rich.spinner import Spinner

        return Spinner("dots", text=self.line())

    def __enter__(self) -> TaskDisplay:
        if self._live_wanted:
            self._live = start_live(self._stream, self._render, transient=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.stop()


async def _follow(
    task: Task, display: TaskDisplay, *, patience: float, poll_interval: float | None
) -> TaskSnapshot:
    if poll_interval is not None:
        # Re-attached: its pushes go to another receiver, so ask now and keep asking.
        async def observe(snapshot: TaskSnapshot) -> None:
            display.show(snapshot.status)

        return await poll_until_done(
            task, patience=patience, interval=poll_interval, observe=observe
        )
    last: TaskSnapshot | None = None
    async for snapshot in task.updates(timeout=patience):
        display.show(snapshot.status)
        last = snapshot
    assert last is not None  # updates() ends with the terminal snapshot
    return last


async def collect(
    client: AsyncMiniMax,
    task: Task,
    out: Output,
    path: Path | None,
    *,
    patience: float,
    interrupt: Interrupt,
    poll_interval: float | None = None,
) -> int:
    """Wait for ``task`` and save its video to ``path`` (default ``TASK_ID.mp4``)."""
    agent = isinstance(task, VideoAgentTask)
    target = path if path is not None else Path(f"{task.task_id}.mp4")
    collect_command = (
        f"minimax-async wait {task.task_id}{' --agent' if agent else ''} --out {target}"
    )
    # A list, not a variable: the interrupt's scope may swallow the assignment.
    found: list[TaskSnapshot] = []
    with TaskDisplay(task.task_id, stream=out.stderr) as display:
        try:
            with interrupt.cancellable():
                found.append(
                    await _follow(task, display, patience=patience, poll_interval=poll_interval)
                )
        except TaskTimeoutError:
            out.error(
                f"gave up after --timeout {patience:g}s; task {task.task_id} keeps running"
                f" (and billing) at MiniMax; collect it with: {collect_command}"
            )
            return TIMEOUT
    if not found:
        out.error(
            f"interrupted; task {task.task_id} keeps running (and billing) at MiniMax;"
            f" collect it with: {collect_command}"
        )
        return INTERRUPTED
    snapshot = found[0]
    if snapshot.status is not TaskStatus.SUCCESS:
        out.result(failed_record(task.task_id, TaskFailedError(snapshot)))
        return TASK_FAILED
    try:
        record = await save_snapshot(client, snapshot, target, agent=agent)
    except (MiniMaxError, OSError) as exc:
        again = (
            f"minimax-async download {snapshot.file_id} --out {target}"
            if snapshot.file_id
            else collect_command
        )
        file = f" (file {snapshot.file_id})" if snapshot.file_id else ""
        out.error(
            f"task {task.task_id} succeeded{file} but saving {target} failed: {exc};"
            f" fetch it with: {again}"
        )
        return API_ERROR
    out.result(record)
    return OK
