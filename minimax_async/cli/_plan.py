"""Decide what a batch run does with each job, given what its journal already knows.

The journal is a :class:`~minimax_async.durable.JSONLJournal`: each create is one
entry, keyed by the job's key (``name``, or ``job-<content digest>``), and a
resubmission is a new entry ``KEY#2``, ``KEY#3``... The job's latest entry decides:

=================================  ===========================================
Latest entry                       This run
=================================  ===========================================
none                               submit (one create)
submitted (a task id)              re-attach to the task id; never re-create
finished Success, file present     skip
finished Success, file missing     re-attach and download again
finished Fail, or refused          report as failed; ``--retry-failed`` resubmits
intent (no task id: ambiguous)     unknown outcome: report, do not resend;
                                   ``--resubmit-unknown`` resends
abandoned                          submit again
same key, different fingerprint    bad line: the job changed; rename it
V2 task created 7+ days ago         expired (when it would be re-attached):
                                   MiniMax no longer answers for it; reported,
                                   never resent (renaming the job creates anew)
=================================  ===========================================
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from minimax_async._status import TaskStatus
from minimax_async.cli._jobs import BadLine, Job
from minimax_async.durable import JournalEntry
from minimax_async.durable._durability import V2_TASK_WINDOW

__all__ = ("Action", "Planned", "attempt_key", "job_key_of", "latest_entries", "plan_jobs")

_ATTEMPT = "#"


class Action(str, enum.Enum):
    """What to do with one job in this run."""

    SUBMIT = "submit"
    REATTACH = "reattach"
    SKIP = "skip"
    FAILED = "failed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Planned:
    """A job, its action, and the journal entry the action follows from.

    ``attempt`` is the journal key a create of this run is recorded under.
    """

    job: Job
    action: Action
    previous: JournalEntry | None = None
    attempt: str = ""

    @property
    def task_id(self) -> str | None:
        return self.previous.task_id if self.previous is not None else None


def job_key_of(journal_key: str) -> str:
    """The job key of a journal key (``dusk#2`` -> ``dusk``)."""
    return journal_key.partition(_ATTEMPT)[0]


def attempt_key(job_key: str, attempts: int) -> str:
    """The journal key of attempt ``attempts + 1`` of a job."""
    return job_key if attempts == 0 else f"{job_key}{_ATTEMPT}{attempts + 1}"


def latest_entries(entries: Iterable[JournalEntry]) -> dict[str, tuple[JournalEntry, int]]:
    """Per job key: its newest entry and how many attempts it has (entries oldest first)."""
    latest: dict[str, tuple[JournalEntry, int]] = {}
    for entry in entries:
        key = job_key_of(entry.key)
        count = latest[key][1] if key in latest else 0
        latest[key] = (entry, count + 1)
    return latest


def _plan_one(
    job: Job,
    entry: JournalEntry | None,
    attempts: int,
    out_dir: Path,
    *,
    resubmit_unknown: bool,
    retry_failed: bool,
) -> Planned:
    def submit() -> Planned:
        return Planned(job, Action.SUBMIT, entry, attempt_key(job.key, attempts))

    if entry is None or entry.state == "abandoned":
        return submit()

    def reattach() -> Planned:
        # V2 answers queries for 7 days only: past that, querying would fail forever.
        expired = entry.kind == "v2" and time.time() - entry.created_at >= V2_TASK_WINDOW
        return Planned(job, Action.EXPIRED if expired else Action.REATTACH, entry)

    if entry.state == "submitted":
        return reattach()
    if entry.state == "finished" and entry.status is TaskStatus.SUCCESS:
        if (out_dir / job.filename).is_file():
            return Planned(job, Action.SKIP, entry)
        return reattach()
    if entry.state in ("finished", "refused"):
        return submit() if retry_failed else Planned(job, Action.FAILED, entry)
    # An intent without a task id: the create may have reached MiniMax.
    return submit() if resubmit_unknown else Planned(job, Action.UNKNOWN, entry)


def plan_jobs(
    jobs: list[Job],
    entries: Iterable[JournalEntry],
    out_dir: Path,
    *,
    resubmit_unknown: bool = False,
    retry_failed: bool = False,
) -> tuple[list[Planned], list[BadLine]]:
    """The action for each job, plus jobs that changed under an already journaled key."""
    latest = latest_entries(entries)
    planned: list[Planned] = []
    changed: list[BadLine] = []
    for job in jobs:
        entry, attempts = latest.get(job.key, (None, 0))
        if entry is not None and entry.fingerprint != job.fingerprint:
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
                job,
                entry,
                attempts,
                out_dir,
                resubmit_unknown=resubmit_unknown,
                retry_failed=retry_failed,
            )
        )
    return planned, changed
