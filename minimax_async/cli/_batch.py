"""``minimax-async batch JOBS.jsonl --out-dir DIR``: many videos, resumable.

Each good line becomes one create, at most ``--concurrency`` jobs at a time (and
``--rpm`` creates a minute). ``OUT_DIR/journal.jsonl`` records every job's task id as
soon as it exists, so a re-run after a crash or Ctrl-C skips finished jobs and
re-attaches to running ones instead of paying again (see ``_plan`` for every case).
Videos are saved as ``OUT_DIR/<name>.mp4`` (unnamed jobs: ``line-N-<fingerprint>.mp4``).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import anyio

from minimax_async._client import AsyncMiniMax
from minimax_async._exceptions import (
    AmbiguousCreateError,
    AuthenticationError,
    MiniMaxError,
    QuotaError,
)
from minimax_async._tasks import VideoTask
from minimax_async.cli._exit import AUTH, INTERRUPTED, OK, TASK_FAILED, USAGE, CliError, combine
from minimax_async.cli._jobs import BadLine, parse_jobs
from minimax_async.cli._journal import JOURNAL_NAME, Journal
from minimax_async.cli._options import add_shared_options, open_client, settings_from
from minimax_async.cli._output import Output, TaskRecord
from minimax_async.cli._plan import Action, Planned, plan_jobs
from minimax_async.cli._progress import Progress
from minimax_async.cli._results import create_video, failed_record, save_result
from minimax_async.cli._runner import run_command

__all__ = ("register",)


def register(subparsers: Any) -> None:
    """Add the ``batch`` subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "batch",
        help="generate one video per JSON line, resumably",
        description=(
            "One create per JSON line (fields as client.video.create, plus 'name' and"
            " 'camera'). A journal in --out-dir makes re-runs resume instead of paying again."
        ),
    )
    parser.add_argument("jobs", type=Path, metavar="JOBS.jsonl")
    parser.add_argument("--out-dir", type=Path, required=True, metavar="DIR")
    parser.add_argument("--concurrency", type=int, default=4, help="jobs at a time (4)")
    parser.add_argument("--rpm", type=int, default=None, help="creates per minute (client's)")
    parser.add_argument(
        "--strict", action="store_true", help="stop at the first bad line before sending anything"
    )
    parser.add_argument(
        "--resubmit-unknown",
        action="store_true",
        help="resend jobs whose earlier create has an unknown outcome (may pay twice)",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="resubmit jobs that failed earlier"
    )
    add_shared_options(parser)
    parser.set_defaults(handler=run, parser=parser)


class _Batch:
    """One batch run: the journal, the progress display and each job's outcome."""

    def __init__(self, journal: Journal, progress: Progress, out: Output, out_dir: Path):
        self.journal = journal
        self.progress = progress
        self.out = out
        self.out_dir = out_dir
        self.records: dict[str, TaskRecord] = {}
        self.states: dict[str, str] = {}
        self.fatal: MiniMaxError | None = None

    def finish(self, key: str, state: str, record: TaskRecord) -> None:
        record.batch = True
        record.name = key
        self.records[key] = record
        self.states[key] = state
        detail = str(record.path) if state in ("done", "skipped") else (record.error or "")
        self.progress.update(key, state, detail)
        if self.out.json_mode:
            self.out.result(record)

    async def run_job(self, client: AsyncMiniMax, planned: Planned, deadline: float) -> None:
        job = planned.job
        key = job.key
        task_id = planned.task_id
        if planned.action is Action.SUBMIT:
            self.progress.update(key, "submitting")
            self.journal.record("submitting", key, line=job.line, fingerprint=job.fingerprint)
            try:
                # Once sent, the create must finish so its task id reaches the journal.
                with anyio.CancelScope(shield=True):
                    task = await create_video(client, job.params)
            except AmbiguousCreateError as exc:
                self.journal.record("ambiguous", key, error=str(exc))
                record = failed_record(None, exc, name=key)
                record.status = "Unknown"
                self.finish(key, "unknown", record)
                return
            except MiniMaxError as exc:
                # Refused outright: nothing was created, nothing was billed.
                self.journal.record("finished", key, status="Fail", task_id=None, error=str(exc))
                self.finish(key, "failed", failed_record(None, exc, name=key))
                if isinstance(exc, (AuthenticationError, QuotaError)):
                    self.fatal = exc
                return
            task_id = str(task.task_id)
            self.journal.record("created", key, task_id=task_id)
        else:
            assert task_id is not None
            task = client.video.task(task_id)
        await self._await_and_save(task, key, task_id, deadline)

    async def _await_and_save(
        self, task: VideoTask, key: str, task_id: str, deadline: float
    ) -> None:
        self.progress.update(key, "Processing", f"task {task_id}")
        try:
            video = await task.result(timeout=deadline)
            self.progress.update(key, "downloading", f"task {task_id}")
            record = await save_result(video, self.out_dir / f"{key}.mp4", name=key)
        except MiniMaxError as exc:
            record = failed_record(task_id, exc, name=key)
            if record.status == "Fail":
                self.journal.record("finished", key, status="Fail", task_id=task_id, error=str(exc))
                self.finish(key, "failed", record)
            else:
                # Not a verdict on the task: a re-run re-attaches and tries again.
                self.journal.record("error", key, task_id=task_id, error=str(exc))
                self.finish(key, "failed", record)
            return
        self.journal.record(
            "finished",
            key,
            status="Success",
            task_id=task_id,
            file_id=record.file_id,
            path=str(record.path),
            width=record.width,
            height=record.height,
            seconds=record.seconds,
        )
        self.finish(key, "done", record)

    def settle_without_running(self, planned: Planned) -> None:
        """Jobs this run does not touch: skipped, failed before, or of unknown outcome."""
        previous = planned.previous.finished if planned.previous else None
        previous = previous or {}
        if planned.action is Action.SKIP:
            record = TaskRecord(
                task_id=planned.task_id,
                status="Success",
                file_id=previous.get("file_id"),
                path=self.out_dir / planned.job.filename,
                width=previous.get("width"),
                height=previous.get("height"),
                seconds=previous.get("seconds"),
            )
            state = "skipped"
        elif planned.action is Action.FAILED:
            error = str(previous.get("error") or "failed in an earlier run")
            record = TaskRecord(planned.task_id, "Fail", error=error)
            state = "failed"
        else:
            record = TaskRecord(
                None,
                "Unknown",
                error="an earlier create may have been accepted; not resent"
                " (--resubmit-unknown resends it)",
            )
            state = "unknown"
        self.finish(planned.job.key, state, record)


def _summary_rows(batch: _Batch, planned: list[Planned], bad: list[BadLine]) -> list[list[str]]:
    rows: list[list[str]] = []
    for item in planned:
        key = item.job.key
        record = batch.records.get(key)
        state = batch.states.get(key, "not started")
        result = "" if record is None else str(record.path or record.error or "")
        task_id = record.task_id if record and record.task_id else (item.task_id or "")
        rows.append([key, state, task_id, result])
    rows.extend([f"line {b.line}", "bad", "", b.message] for b in bad)
    return rows


def _exit_code(batch: _Batch, bad: list[BadLine]) -> int:
    codes = [OK]
    if bad or any(state != "done" and state != "skipped" for state in batch.states.values()):
        codes.append(TASK_FAILED)
    if batch.fatal is not None:
        codes.append(AUTH)
    return combine(*codes)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Parse, plan against the journal, run the jobs, print the summary."""
    out = Output(json_mode=args.json)
    if args.concurrency < 1:
        parser.error(f"--concurrency={args.concurrency}: must be at least 1")
    if args.rpm is not None and args.rpm < 1:
        parser.error(f"--rpm={args.rpm}: must be at least 1")

    async def body() -> int:
        settings = settings_from(args)
        try:
            jobs, bad = parse_jobs(args.jobs)
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"{args.jobs}: cannot read the jobs file: {exc}") from None
        if bad and args.strict:
            out.error(f"{args.jobs}: {bad[0]}")
            return USAGE
        args.out_dir.mkdir(parents=True, exist_ok=True)
        with Journal(args.out_dir / JOURNAL_NAME) as journal:
            planned, changed = plan_jobs(
                jobs,
                journal.entries,
                args.out_dir,
                resubmit_unknown=args.resubmit_unknown,
                retry_failed=args.retry_failed,
            )
            bad = sorted([*bad, *changed], key=lambda b: b.line)
            if changed and args.strict:
                out.error(f"{args.jobs}: {changed[0]}")
                return USAGE
            with Progress(len(planned)) as progress:
                batch = _Batch(journal, progress, out, args.out_dir)
                for line in bad:
                    progress.log(f"{args.jobs}: {line}")
                interrupted = await _run_all(batch, planned, settings, args, out)
            progress.summary(_summary_rows(batch, planned, bad))
        if interrupted:
            out.error("interrupted; the journal is consistent: run the same command to resume")
            return INTERRUPTED
        if batch.fatal is not None:
            out.error(str(batch.fatal))
        return _exit_code(batch, bad)

    return run_command(body, out)


async def _run_all(
    batch: _Batch, planned: list[Planned], settings: Any, args: argparse.Namespace, out: Output
) -> bool:
    """Run every job; True if interrupted (Ctrl-C) before all were done."""
    active = [p for p in planned if p.action in (Action.SUBMIT, Action.REATTACH)]
    for item in planned:
        if item.action in (Action.SUBMIT, Action.REATTACH):
            batch.progress.update(item.job.key, "waiting")
        else:
            batch.settle_without_running(item)
    if not active:
        return False
    limit = anyio.Semaphore(args.concurrency)
    try:
        async with (
            open_client(settings, out, rpm=args.rpm) as client,
            anyio.create_task_group() as group,
        ):

            async def one(item: Planned) -> None:
                async with limit:
                    if batch.fatal is None:
                        await batch.run_job(client, item, settings.timeout)

            for item in active:
                group.start_soon(one, item)
    except asyncio.CancelledError:
        return True
    return False
