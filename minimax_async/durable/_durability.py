"""The client's side of durability: journal each create, re-attach after a restart,
and run result handlers exactly once per finished task.

Guarantees (the journal must be durable: SQLite, or Redis with persistence):

- A create is journaled (client key, fingerprint, redacted body) before it is sent,
  and its task id right after the answer. A crash in between leaves an *ambiguous*
  intent that :meth:`Durability.resume` reports and never resends.
- Every submitted task without a recorded result is re-attached by ``resume``.
- A result handler is claimed in the journal before it runs and marked done after:
  a completed handler run never repeats; a run interrupted by a crash (or that raised)
  runs again after the claim's lease expires or at the next resume: at-least-once for
  the handler body, exactly-once for completed handler runs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from minimax_async._exceptions import InvalidInputError, MiniMaxError
from minimax_async._ref import KINDS, TaskRef
from minimax_async._status import TaskStatus
from minimax_async.durable._journal import TaskJournal
from minimax_async.durable._records import JournalEntry, TaskKind, new_entry
from minimax_async.models import TaskSnapshot

if TYPE_CHECKING:
    from typing import TypeAlias

    from minimax_async._tasks import V2PromptTask, V2VideoTask, VideoAgentTask, VideoTask

    #: A re-attached task handle, of whichever API created the task.
    AnyTask: TypeAlias = VideoTask | VideoAgentTask | V2VideoTask | V2PromptTask

__all__ = ("Durability", "ResultHandler", "ResumeReport")

logger = logging.getLogger(__name__)

#: A result handler: gets the finished entry (``entry.snapshot`` is terminal).
ResultHandler = Callable[[JournalEntry], Awaitable[None]]
#: Builds the handle for a task, from its ref and the path its create was POSTed to
#: (the client's resources).
HandleFactory = Callable[[TaskRef, "str | None"], "AnyTask"]


#: V2 tasks can be queried for 7 days after they were created (reference V2 §4).
V2_TASK_WINDOW = 7 * 24 * 3600.0


@dataclass(frozen=True)
class ResumeReport:
    """What :meth:`AsyncMiniMax.resume` found.

    ``tasks``: re-attached handles (``await task.result()`` as usual); ``ambiguous``:
    intents whose create may or may not have reached MiniMax. They were *not* resent:
    settle each with ``client.reconcile(entry.key, task_id=...)`` once you know the
    task id, or ``client.reconcile(entry.key, task_id=None)`` to record it as never
    created. ``handlers``: how many finished-but-unhandled results were handed to
    their result handler. ``expired``: V2 (MiniMax-H3) tasks created longer ago than
    MiniMax's 7-day query window: MiniMax no longer answers for them, so they are
    reported here instead of re-attached.
    """

    tasks: list[AnyTask] = field(default_factory=list)
    ambiguous: list[JournalEntry] = field(default_factory=list)
    handlers: int = 0
    expired: list[JournalEntry] = field(default_factory=list)


class Durability:
    """Glue between a client and its :class:`TaskJournal` (one per client)."""

    def __init__(
        self,
        journal: TaskJournal,
        *,
        owner: str | None = None,
        handler_lease: float = 300.0,
    ) -> None:
        if handler_lease <= 0:
            raise InvalidInputError("handler_lease", handler_lease, "must be > 0 seconds")
        self.journal = journal
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.handler_lease = handler_lease
        self._handlers: dict[TaskKind, ResultHandler] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._handling: set[str] = set()
        self._make_handle: HandleFactory | None = None

    def bind(self, make_handle: HandleFactory) -> None:
        """How to build a task handle (the client does this once)."""
        self._make_handle = make_handle

    def _handle_for(self, ref: TaskRef, endpoint: str | None) -> AnyTask:
        if self._make_handle is None:
            raise RuntimeError("Durability.bind() was not called")
        return self._make_handle(ref, endpoint)

    # -- configuration -----------------------------------------------------------------

    def on_result(self, kind: TaskKind, handler: ResultHandler) -> None:
        """Run ``handler`` once for every finished task of ``kind`` (Success or Fail)."""
        if kind not in KINDS:
            raise InvalidInputError("kind", kind, f"must be one of {KINDS}")
        if not callable(handler):
            raise InvalidInputError("handler", handler, "must be an async callable")
        self._handlers[kind] = handler

    # -- the create path ---------------------------------------------------------------

    async def before_create(self, kind: TaskKind, body: dict[str, Any], *, endpoint: str) -> str:
        """Journal the intent; returns the client key to send the create under."""
        entry = new_entry(uuid.uuid4().hex, kind, body, endpoint=endpoint)
        await self.journal.record_intent(entry)
        return entry.key

    async def created(self, key: str, ref: TaskRef, *, endpoint: str) -> None:
        """The create answered: journal the task id; drive it if a handler waits."""
        try:
            await self.journal.record_task(key, ref.task_id, trace_id=ref.trace_id)
        except Exception:
            # The task exists and the caller gets its handle; failing here would invite
            # a paid resend. The intent stays open, so resume() reports it.
            logger.exception("could not journal task %s of create %s", ref.task_id, key)
        if ref.kind in self._handlers:
            # Fire and forget callers never await the task: something must.
            self._spawn(self._drive(self._handle_for(ref, endpoint)))

    async def refused(self, key: str, exc: BaseException) -> None:
        """The create provably made no task (not called for ambiguous outcomes)."""
        try:
            await self.journal.record_refused(key, f"{type(exc).__name__}: {exc}")
        except Exception:
            # The caller must see the create's own error, not this one.
            logger.exception("could not journal the refusal of create %s", key)

    # -- the result path ---------------------------------------------------------------

    def observed(self, snapshot: TaskSnapshot) -> None:
        """A query or push showed this status (journaled in the background)."""
        if not snapshot.status.is_terminal and snapshot.status is not TaskStatus.UNKNOWN:
            self._spawn(self.journal.record_status(snapshot.task_id, snapshot.status))

    def on_callback_event(self, event: Any) -> None:
        """A receiver event (``CallbackServer.subscribe``): journal pushed statuses."""
        if event.kind in ("push", "push_buffered") and event.task_id and event.status:
            # Terminal pushes are unconfirmed hints: only the delivered result counts.
            status = TaskStatus.parse(event.status)
            if not status.is_terminal and status is not TaskStatus.UNKNOWN:
                self._spawn(self.journal.record_status(event.task_id, status))

    async def finished(self, kind: TaskKind, snapshot: TaskSnapshot) -> None:
        """Journal the terminal snapshot; schedule the kind's result handler."""
        try:
            await self.journal.record_result(snapshot)
        except Exception:
            # Deliver anyway: the result in hand beats a journal write; resume() would
            # re-attach the task and find the result again by query.
            logger.exception("could not journal the result of task %s", snapshot.task_id)
            return
        if kind in self._handlers:
            self._spawn(self._handle(snapshot.task_id))

    async def _drive(self, handle: Any) -> None:
        try:
            await handle.result()  # records the result through finished()
        except MiniMaxError as exc:
            # TaskFailedError is a finished task (already journaled); others are not.
            logger.debug("driving task %s ended: %s", handle.task_id, exc)

    async def _handle(self, task_id: str) -> None:
        if task_id in self._handling:
            return
        self._handling.add(task_id)
        try:
            await self._run_handler(task_id)
        finally:
            self._handling.discard(task_id)

    async def _run_handler(self, task_id: str) -> None:
        journal = self.journal
        if not await journal.claim_handler(task_id, owner=self.owner, lease=self.handler_lease):
            return
        entry = await journal.get_task(task_id)
        handler = self._handlers.get(entry.kind) if entry is not None else None
        if entry is None or handler is None or entry.handled:
            await journal.release_handler(task_id, owner=self.owner)
            return
        try:
            await handler(entry)
        except Exception:
            logger.exception("result handler for task %s raised; it will run again", task_id)
            await journal.release_handler(task_id, owner=self.owner)
            return
        except asyncio.CancelledError:
            # Shutdown interrupted it: give the claim back so the next resume runs it
            # (after kill -9 the claim's lease expiring does the same).
            await asyncio.shield(journal.release_handler(task_id, owner=self.owner))
            raise
        await journal.mark_handled(task_id, owner=self.owner)

    # -- restart -----------------------------------------------------------------------

    async def resume(self) -> ResumeReport:
        """Re-attach open tasks, report ambiguous intents, run pending handlers."""
        report = ResumeReport()
        for entry in await self.journal.entries(("intent", "submitted")):
            if entry.task_id is None:
                report.ambiguous.append(entry)
                logger.warning(
                    "create %s (%s) may have reached MiniMax before the restart; not resent",
                    entry.key,
                    entry.fingerprint,
                )
                continue
            if entry.kind == "v2" and time.time() - entry.created_at >= V2_TASK_WINDOW:
                report.expired.append(entry)
                logger.warning(
                    "V2 task %s was created over 7 days ago; MiniMax no longer answers for"
                    " it, so it is not re-attached",
                    entry.task_id,
                )
                continue
            ref = TaskRef(entry.kind, entry.task_id, entry.trace_id)
            handle = self._handle_for(ref, entry.endpoint)
            report.tasks.append(handle)
            if entry.kind in self._handlers:
                self._spawn(self._drive(handle))
        handled = 0
        for entry in await self.journal.entries(("finished",)):
            if not entry.handled and entry.kind in self._handlers and entry.task_id:
                handled += 1
                self._spawn(self._handle(entry.task_id))
        return ResumeReport(report.tasks, report.ambiguous, handled, report.expired)

    async def reconcile(self, key: str, *, task_id: str | None) -> None:
        """Settle an ambiguous intent: its task id, or None for "never created"."""
        if task_id is None:
            await self.journal.record_abandoned(key)
        else:
            await self.journal.record_task(key, task_id)

    # -- lifecycle ---------------------------------------------------------------------

    async def drain(self) -> None:
        """Wait until every background journal write and running handler is done."""
        while self._tasks:
            await asyncio.gather(*tuple(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel background work (an interrupted handler runs again later)."""
        tasks = tuple(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("journal background work failed: %r", task.exception())
