"""``minimax-async batch JOBS.jsonl --out-dir DIR``: many videos, resumable.

Each good line becomes one create, at most ``--concurrency`` jobs at a time and
``--rpm`` creates a minute. ``OUT_DIR/journal.jsonl`` is a
:class:`~minimax_async.durable.JSONLJournal`: a job's intent is recorded when its
create is about to be sent (after the rate limiter let it go), its task id as soon as
it exists, its result when it ends. A re-run after a crash or Ctrl-C skips finished
jobs and re-attaches to running ones instead of paying again (``_plan`` has every
case). The journal's lock makes one batch per output directory. Videos are saved as
``OUT_DIR/<key>.mp4``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import anyio

from minimax_async._client import AsyncMiniMax
from minimax_async._config import DEFAULT_RPM
from minimax_async._exceptions import (
    AmbiguousCreateError,
    AuthenticationError,
    JournalLockedError,
    MiniMaxError,
    QuotaError,
    TaskFailedError,
)
from minimax_async._limits import RateLimiter
from minimax_async._status import TaskStatus
from minimax_async._tasks import V2VideoTask, VideoTask
from minimax_async.cli._exit import AUTH, INTERRUPTED, OK, TASK_FAILED, USAGE, CliError, combine
from minimax_async.cli._jobs import BadLine, parse_jobs
from minimax_async.cli._options import Settings, open_client, settings_from
from minimax_async.cli._output import Output, TaskRecord, failure_text
from minimax_async.cli._plan import Action, Planned, plan_jobs
from minimax_async.cli._progress import Progress
from minimax_async.cli._results import (
    create_video,
    describe_saved,
    failed_record,
    poll_until_done,
    save_snapshot,
)
from minimax_async.cli._runner import Interrupt, run_command
from minimax_async.durable import JournalEntry, JSONLJournal
from minimax_async.durable._records import new_entry
from minimax_async.models import TaskSnapshot

__all__ = ("JOURNAL_NAME", "run")

JOURNAL_NAME = "journal.jsonl"


class _Batch:
    """One batch run: the journal, the progress display and each job's outcome."""

    def __init__(
        self,
        journal: JSONLJournal,
        progress: Progress,
        out: Output,
        out_dir: Path,
        interrupt: Interrupt,
        limiter: RateLimiter | None,
    ) -> None:
        self.journal = journal
        self.progress = progress
        self.out = out
        self.out_dir = out_dir
        self.interrupt = interrupt
        self.limiter = limiter
        self.records: dict[str, TaskRecord] = {}
        self.states: dict[str, str] = {}
        self.running: dict[str, str] = {}  # job key -> task id, while it renders
        self.sending: set[str] = set()  # job keys whose create is on the wire
        self.fatal: MiniMaxError | None = None

    def finish(self, key: str, state: str, record: TaskRecord) -> None:
        record.batch = True
        record.name = key
        self.running.pop(key, None)
        self.records[key] = record
        self.states[key] = state
        detail = str(record.path) if state in ("done", "skipped") else (record.error or "")
        self.progress.update(key, state, detail)
        if self.out.json_mode:
            self.out.result(record)

    async def run_job(self, client: AsyncMiniMax, planned: Planned, patience: float) -> None:
        job = planned.job
        key = job.key
        if planned.action is Action.SUBMIT:
            with self.interrupt.cancellable():
                if self.limiter is not None:
                    await self.limiter.acquire()
            if self.interrupt.requested:
                return  # never sent: "not started"
            created = await self._create(client, planned)
            if created is None:
                return
            task_id, reattached = created, False
        else:
            assert planned.task_id is not None
            task_id, reattached = planned.task_id, True
        self.running[key] = task_id
        self.progress.update(key, "running", f"task {task_id}")
        # The journal's kind, not this run's line, says which API the task lives on.
        kind = planned.previous.kind if reattached and planned.previous else job.kind
        task = client.video.v2.task(task_id) if kind == "v2" else client.video.task(task_id)
        with self.interrupt.cancellable():
            await self._await_and_save(client, key, task, patience, reattached=reattached)

    async def _create(self, client: AsyncMiniMax, planned: Planned) -> str | None:
        """Journal the intent, send the create; the task id, or None if there is none."""
        job, key, previous = planned.job, planned.job.key, planned.previous
        if previous is not None and previous.ambiguous:
            # --resubmit-unknown: the user settles the earlier create as never made.
            await self.journal.record_abandoned(previous.key)
        # Recorded now, when the create is about to be sent: an intent without a task id
        # means exactly "these bytes may have reached MiniMax".
        await self.journal.record_intent(new_entry(planned.attempt, job.kind, job.body))
        self.progress.update(key, "submitting")
        self.sending.add(key)
        try:
            # Not interruptible: once sent, it must finish so its task id is journaled.
            task = await create_video(client, job.params)
        except AmbiguousCreateError as exc:
            record = failed_record(None, exc, name=key)
            record.status = "Unknown"
            self.finish(key, "unknown", record)
            return None
        except MiniMaxError as exc:
            # Refused outright: nothing was created, nothing was billed.
            await self.journal.record_refused(planned.attempt, str(exc))
            self.finish(key, "failed", failed_record(None, exc, name=key))
            if isinstance(exc, (AuthenticationError, QuotaError)):
                self.fatal = exc
            return None
        finally:
            self.sending.discard(key)
        await self.journal.record_task(planned.attempt, task.task_id, trace_id=task.trace_id)
        return task.task_id

    async def _await_and_save(
        self,
        client: AsyncMiniMax,
        key: str,
        task: VideoTask | V2VideoTask,
        patience: float,
        *,
        reattached: bool,
    ) -> None:
        path = self.out_dir / f"{key}.mp4"
        task_id = task.task_id
        try:
            if reattached:
                snapshot = await poll_until_done(
                    task, patience=patience, interval=client.video.poll_interval
                )
            else:
                snapshot = (await task.result(timeout=patience)).snapshot
        except TaskFailedError as exc:
            snapshot = exc.snapshot
        except MiniMaxError as exc:
            # Not a verdict on the task: a re-run re-attaches and tries again.
            self.finish(key, "failed", failed_record(task_id, exc, name=key))
            return
        await self.journal.record_result(snapshot)
        if snapshot.status is not TaskStatus.SUCCESS:
            self.finish(key, "failed", failed_record(task_id, TaskFailedError(snapshot), name=key))
            return
        self.progress.update(key, "downloading", f"task {task_id}")
        try:
            record = await save_snapshot(client, snapshot, path, name=key)
        except MiniMaxError as exc:
            record = failed_record(task_id, exc, name=key)
            record.file_id = snapshot.file_id
            fetch = (
                f"download {snapshot.file_id}"
                if snapshot.file_id
                else f"wait {task_id}{' --v2' if task.kind == 'v2' else ''}"
            )
            record.error = (
                f"{exc}; the video is ready: fetch it with 'minimax-async {fetch}"
                f" --out {path}' (or re-run this batch)"
            )
            self.finish(key, "failed", record)
            return
        self.finish(key, "done", record)

    def settle_without_running(self, planned: Planned) -> None:
        """Jobs this run does not touch: skipped, failed before, expired or of unknown outcome."""
        previous = planned.previous
        assert previous is not None
        if planned.action is Action.SKIP:
            snapshot = previous.snapshot or TaskSnapshot(task_id=previous.task_id or "0")
            path = self.out_dir / planned.job.filename
            self.finish(planned.job.key, "skipped", describe_saved(snapshot, path))
        elif planned.action is Action.FAILED:
            record = TaskRecord(planned.task_id, "Fail", error=_earlier_failure(previous))
            self.finish(planned.job.key, "failed", record)
        elif planned.action is Action.EXPIRED:
            record = TaskRecord(
                planned.task_id,
                "Error",
                error="created over 7 days ago: MiniMax no longer answers for this V2 task,"
                " so it cannot be collected; give the job a new name to create it again",
            )
            self.finish(planned.job.key, "failed", record)
        else:
            record = TaskRecord(
                None,
                "Unknown",
                error="an earlier create may have reached MiniMax (and be billed); not"
                " resent: check your MiniMax console, then --resubmit-unknown resends it",
            )
            self.finish(planned.job.key, "unknown", record)


def _earlier_failure(entry: JournalEntry) -> str:
    if entry.snapshot is not None:
        return failure_text(entry.snapshot)
    return entry.error or "failed in an earlier run"


def _summary_rows(batch: _Batch, planned: list[Planned], bad: list[BadLine]) -> list[list[str]]:
    rows: list[list[str]] = []
    for item in planned:
        key = item.job.key
        record = batch.records.get(key)
        if key in batch.running:
            # Created and still rendering (Ctrl-C): it goes on, and so does its bill.
            rows.append([key, "running", batch.running[key], "a re-run collects it"])
            continue
        state = batch.states.get(key, "not started")
        result = "" if record is None else str(record.path or record.error or "")
        task_id = record.task_id if record and record.task_id else (item.task_id or "")
        rows.append([key, state, task_id, result])
    rows.extend([f"line {b.line}", "bad", "", b.message] for b in bad)
    return rows


def _exit_code(batch: _Batch, bad: list[BadLine]) -> int:
    codes = [OK]
    if bad or any(state not in ("done", "skipped") for state in batch.states.values()):
        codes.append(TASK_FAILED)
    if batch.fatal is not None:
        codes.append(AUTH)
    return combine(*codes)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Parse, plan against the journal, run the jobs, print the summary."""
    out = Output(json_mode=args.json)
    sending: set[str] = set()  # job keys whose create is on the wire

    def notice() -> None:
        on_wire = f"; {len(sending)} create(s) on the wire finish first" if sending else ""
        out.note(f"Ctrl-C: stopping, nothing more is sent{on_wire} (Ctrl-C again quits now)")

    interrupt = Interrupt(notice)
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
        if not jobs and not bad:
            raise CliError(f"{args.jobs}: no jobs in the file (one JSON object per line)")
        if bad and args.strict:
            out.error(f"{args.jobs}: {bad[0]}")
            return USAGE
        journal = await _open_journal(args.out_dir)
        try:
            planned, changed = plan_jobs(
                jobs,
                await journal.entries(),
                args.out_dir,
                resubmit_unknown=args.resubmit_unknown,
                retry_failed=args.retry_failed,
            )
            bad = sorted([*bad, *changed], key=lambda b: b.line)
            if changed and args.strict:
                out.error(f"{args.jobs}: {changed[0]}")
                return USAGE
            with Progress(len(planned)) as progress:
                batch = _Batch(
                    journal, progress, out, args.out_dir, interrupt, _limiter(settings, args)
                )
                batch.sending = sending
                for line in bad:
                    progress.log(f"{args.jobs}: {line}")
                await _run_all(batch, planned, settings, args, out)
            progress.summary(_summary_rows(batch, planned, bad))
        finally:
            await journal.aclose()
        if interrupt.requested:
            out.error(
                "interrupted; nothing more was sent and the journal is consistent:"
                " run the same command to resume"
            )
            return INTERRUPTED
        if batch.fatal is not None:
            out.error(str(batch.fatal))
        return _exit_code(batch, bad)

    return run_command(body, out, interrupt=interrupt)


async def _open_journal(out_dir: Path) -> JSONLJournal:
    """The locked journal of ``out_dir``; CliError (exit 2) before anything is spent."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before any I/O
        # Kept for good: a pruned "done" would make the same command pay for it again.
        journal = JSONLJournal(out_dir / JOURNAL_NAME, retention=None)
        await journal.start()
    except JournalLockedError:
        raise CliError(
            f"--out-dir {out_dir}: another batch is running on this directory;"
            " wait for it or use another --out-dir"
        ) from None
    except OSError as exc:
        raise CliError(
            f"--out-dir {out_dir}: cannot write there ({exc.strerror or exc}); nothing was sent"
        ) from None
    return journal


def _limiter(settings: Settings, args: argparse.Namespace) -> RateLimiter | None:
    # The batch paces creates itself, so a create still waiting here is not sent
    # after Ctrl-C. The embedded emulator has no rate limit unless asked for one.
    if args.rpm is None and settings.embedded:
        return None
    return RateLimiter(args.rpm if args.rpm is not None else DEFAULT_RPM)


async def _run_all(
    batch: _Batch, planned: list[Planned], settings: Settings, args: argparse.Namespace, out: Output
) -> None:
    """Run every job (the first Ctrl-C stops the waits; creates on the wire finish)."""
    active = [p for p in planned if p.action in (Action.SUBMIT, Action.REATTACH)]
    for item in planned:
        if item not in active:
            batch.settle_without_running(item)
    if not active:
        return
    for item in active:
        batch.progress.update(item.job.key, "waiting")
    limit = anyio.Semaphore(args.concurrency)
    async with open_client(settings, out, own_admission=True) as client:

        async def one(item: Planned) -> None:
            acquired = False
            with batch.interrupt.cancellable():
                await limit.acquire()
                acquired = True
            try:
                if acquired and not batch.interrupt.requested and batch.fatal is None:
                    await batch.run_job(client, item, settings.timeout)
            finally:
                if acquired:
                    limit.release()

        async with anyio.create_task_group() as group:
            for item in active:
                group.start_soon(one, item)
