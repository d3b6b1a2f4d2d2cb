"""Decide what a batch run does with each job, given what the journal already knows.

=================================  ===========================================
Journal says                       This run
=================================  ===========================================
nothing                            submit (one create)
created (a task id)                re-attach to the task id; never re-create
finished Success, file present     skip
finished Success, file missing     re-attach and download again
finished Fail                      report as failed; ``--retry-failed`` resubmits
submitting but no task id          unknown outcome: report, do not resend;
                                   ``--resubmit-unknown`` resends
same name, different fingerprint   bad line: the job changed; rename it
=================================  ===========================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from minimax_async.cli._jobs import BadLine, Job
from minimax_async.cli._journal import JournalEntry

__all__ = ("Action", "Planned", "plan_jobs")


class Action(str, enum.Enum):
    """What to do with one job in this run."""

    SUBMIT = "submit"
    REATTACH = "reattach"
    SKIP = "skip"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Planned:
    """A job and its action; ``task_id`` is set when re-attaching or skipping."""

    job: Job
    action: Action
    task_id: str | None = None
    previous: JournalEntry | None = None


def _plan_one(
    job: Job,
    entry: JournalEntry | None,
    out_dir: Path,
    *,
    resubmit_unknown: bool,
    retry_failed: bool,
) -> Planned:
    if entry is None or entry.state == "new":
        return Planned(job, Action.SUBMIT)
    state = entry.state
    if state == "finished":
        assert entry.finished is not None
        if entry.finished.get("status") == "Success":
            if (out_dir / job.filename).is_file():
                return Planned(job, Action.SKIP, entry.task_id, entry)
            if entry.task_id is not None:
                return Planned(job, Action.REATTACH, entry.task_id, entry)
            return Planned(job, Action.SUBMIT, previous=entry)
        if retry_failed:
            return Planned(job, Action.SUBMIT, previous=entry)
        return Planned(job, Action.FAILED, entry.task_id, entry)
    if state == "created":
        return Planned(job, Action.REATTACH, entry.task_id, entry)
    if resubmit_unknown:
        return Planned(job, Action.SUBMIT, previous=entry)
    return Planned(job, Action.UNKNOWN, None, entry)


def plan_jobs(
    jobs: list[Job],
    entries: dict[str, JournalEntry],
    out_dir: Path,
    *,
    resubmit_unknown: bool = False,
    retry_failed: bool = False,
) -> tuple[list[Planned], list[BadLine]]:
    """The action for each job, plus jobs that changed under an already journaled name."""
    planned: list[Planned] = []
    changed: list[BadLine] = []
    for job in jobs:
        entry = entries.get(job.key)
        if entry is not None and entry.fingerprint not in (None, job.fingerprint):
            task = f" (task {entry.task_id})" if entry.task_id else ""
            changed.append(
                BadLine(
                    job.line,
                    f"name={job.key!r} changed since the journal recorded it{task};"
                    " give the changed job a new name",
                )
            )
            continue
        planned.append(
            _plan_one(
                job, entry, out_dir, resubmit_unknown=resubmit_unknown, retry_failed=retry_failed
            )
        )
    return planned, changed
