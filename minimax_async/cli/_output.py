"""Where the command writes: result records on stdout, everything human on stderr.

With ``--json`` stdout carries exactly one JSON object per finished task and nothing
else, so it can be piped into ``jq``; the human result line then goes to stderr. Without
``--json`` the human result line goes to stdout and notes/errors to stderr.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from minimax_async.models import TaskSnapshot

__all__ = ("Output", "TaskRecord", "failure_text")

PROG = "minimax-async"


@dataclass
class TaskRecord:
    """One finished task as ``--json`` reports it.

    Video tasks carry ``file_id``, Video Agent tasks ``video_url``; ``width``,
    ``height`` and ``seconds`` describe the saved file (None when nothing was saved).
    ``error`` (a message, with MiniMax's ``error_code`` when it gave one) describes a
    failure; ``--json`` reports it as ``{"code": ..., "message": ...}`` or null.
    ``name`` is only reported by ``batch``.
    """

    task_id: str | None
    status: str
    file_id: str | None = None
    video_url: str | None = None
    path: Path | None = None
    width: int | None = None
    height: int | None = None
    seconds: float | None = None
    name: str | None = None
    error: str | None = None
    error_code: int | None = None
    batch: bool = False

    def to_json(self) -> dict[str, Any]:
        """The JSON object: ``file_id`` or ``video_url``, plus name/error in a batch."""
        data: dict[str, Any] = {"task_id": self.task_id, "status": self.status}
        if self.video_url is not None:
            data["video_url"] = self.video_url
        else:
            data["file_id"] = self.file_id
        data.update(
            path=None if self.path is None else str(self.path),
            width=self.width,
            height=self.height,
            seconds=self.seconds,
        )
        data["error"] = (
            None if self.error is None else {"code": self.error_code, "message": self.error}
        )
        if self.batch:
            data["name"] = self.name
        return data

    def human(self) -> str:
        """One readable line."""
        who = f"{self.name} " if self.name else ""
        task = f"task {self.task_id}" if self.task_id else "no task"
        if self.status == "Success" and self.path is not None:
            size = f"{self.width}x{self.height}" if self.width and self.height else "size unknown"
            length = f", {self.seconds:g} s" if self.seconds else ""
            return f"{who}saved {self.path} ({size}{length}; {task})"
        reason = f": {self.error}" if self.error else ""
        return f"{who}{self.status} ({task}){reason}"


def failure_text(snapshot: TaskSnapshot) -> str:
    """Why a task failed, as MiniMax said it: ``[1026] input sensitive``."""
    base = snapshot.base_resp
    if base is not None and base.status_code:
        return f"[{base.status_code}] {base.status_msg or 'no message'}"
    return "failed (MiniMax gave no reason)"


class Output:
    """Writes result records and human lines; streams are looked up at write time."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode

    @property
    def stdout(self) -> TextIO:
        return sys.stdout

    @property
    def stderr(self) -> TextIO:
        return sys.stderr

    def note(self, message: str) -> None:
        """A human line on stderr, prefixed with the program name."""
        print(f"{PROG}: {message}", file=self.stderr, flush=True)

    def error(self, message: str) -> None:
        """A one-line error on stderr."""
        print(f"{PROG}: error: {message}", file=self.stderr, flush=True)

    def result(self, record: TaskRecord) -> None:
        """Report one finished task: JSON on stdout with ``--json``, else a human line."""
        if self.json_mode:
            line = json.dumps(record.to_json(), ensure_ascii=False)
            print(line, file=self.stdout, flush=True)
            print(record.human(), file=self.stderr, flush=True)
        else:
            print(record.human(), file=self.stdout, flush=True)
