"""Which task: its kind, its id and the Trace-Id of the create that made it.

One small immutable object carries these from the create answer to the handle, the
tracker (its log lines and events), the journal and a resumed handle, so no layer has
to pass a loose ``trace_id`` along or guess a task's kind from a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ("KINDS", "TaskKind", "TaskRef")

#: ``video`` and ``agent`` are V1 tasks; ``v2`` is a MiniMax-H3 / H3-Max task.
TaskKind = Literal["video", "agent", "v2"]
KINDS: tuple[TaskKind, ...] = ("video", "agent", "v2")


@dataclass(frozen=True, slots=True)
class TaskRef:
    """A task's identity: ``kind`` picks its query endpoint; ``trace_id`` is for support."""

    kind: TaskKind
    task_id: str
    #: Trace-Id of the create answer (None for a task re-attached by id).
    trace_id: str | None = None
