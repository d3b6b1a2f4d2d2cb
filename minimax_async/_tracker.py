"""The one waiting engine: pushes, polls and the result bus in, one result per task out.

::

    MiniMax push ──► Endpoint ──on_push()──┐        ┌──► bus.publish()  (hint, per status)
                                           │        │
    other worker ──► ResultBus ──deliver()─┤        │
                                           ▼        │
                                    ┌─────────────┐ │   result() ◄── future (shared)
     task.refresh() ──observe()───► │ TaskTracker │─┴─► updates() ◄── listener queues
                                    └─────────────┘
                                       ▲      │ arm / poll_now
                          query answer │      ▼
                                    ┌─────────────┐
                                    │  Watchdog   │  one timer per waiting task,
                                    └─────────────┘  Backoff schedule, bounded polls

Every ``task.result()`` and ``task.updates()`` waits here, whether or not the client
has a callback receiver. Without one nothing pushes, and the watchdog polls each
waiting task every ``poll_interval`` seconds (jittered), the first time at once. With
one (``CallbackServer`` owns its tracker), a task is polled only once it has been quiet
for ``quiet_period``, then with backoff; a push starts the quiet period over.

Pushes are unsigned hints: with ``confirm`` a terminal push only triggers a query,
whose answer rules; a non-terminal push only moves the status forward. The bus shares
every push between worker processes as a hint too, never as a verdict, so a forged push
on one worker cannot silence the genuine one on another. A poll that fails with a
transient error (:func:`minimax_async._retry.is_transient`) is asked again after the
retry backoff (``max_retries`` times in a row, then on the schedule); any other error
fails the waiters at once. This is the only place task queries are retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

import anyio

from minimax_async._exceptions import ClosedError, TaskTimeoutError
from minimax_async._ref import TaskRef
from minimax_async._registry import QueryFn, TaskRegistry, TaskState
from minimax_async._retry import Backoff, RetryPolicy, is_transient
from minimax_async._watchdog import Watchdog
from minimax_async.models import TaskSnapshot

if TYPE_CHECKING:  # the callbacks package imports this module: no cycle at run time
    from minimax_async.callbacks._bus import ResultBus
    from minimax_async.callbacks._hooks import Hooks

__all__ = ("QueryFn", "TaskTracker")

#: What a listener of :meth:`TaskTracker.updates` receives: a snapshot, or why it ends.
_Item = TaskSnapshot | BaseException


class TaskTracker:
    """Owns the registry's tasks: applies pushes and polls, resolves each task once.

    ``pushes``: whether a receiver feeds this tracker (then only quiet tasks are polled;
    without one every waiting task is polled at once and then on ``schedule``). A poll
    that got no answer is asked again after ``retry``'s backoff, ``retry.max_retries``
    times in a row at most, then on ``schedule`` (never later than it would have been).
    """

    def __init__(
        self,
        *,
        registry: TaskRegistry,
        hooks: Hooks,
        schedule: Backoff,
        pushes: bool,
        confirm: bool = True,
        max_concurrent_polls: int = 8,
        bus: ResultBus | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.registry = registry
        self.hooks = hooks
        self.confirm = confirm
        self.pushes = pushes
        self.bus = bus
        self.retry = retry if retry is not None else RetryPolicy()
        self.watchdog = Watchdog(self._poll, schedule=schedule, max_concurrent=max_concurrent_polls)
        self._listeners: dict[str, list[asyncio.Queue[_Item]]] = {}
        self.closed = False

    # -- pushes ------------------------------------------------------------------------

    def on_push(
        self, snapshot: TaskSnapshot, *, trace_id: str | None = None, relay: bool = True
    ) -> str:
        """Apply one validated push; returns "accepted", "confirming", "buffered" or "ignored".

        ``relay=False`` for a push another worker relayed (it is not relayed again).
        """
        if relay and self.bus is not None:
            # Even while closing: a worker shutting down still gets pushes on connections
            # kept alive to it, and the worker awaiting the task must hear of them.
            self.bus.publish(snapshot)
        if self.closed:
            return "ignored"
        state = self.registry.get(snapshot.task_id)
        if state is None:
            kept = self.registry.hold_early(snapshot)
            self.hooks.emit(
                "push_buffered",
                snapshot.task_id,
                trace_id=trace_id,
                status=snapshot.status.value,
                detail=None if kept else "early-push buffer disabled",
            )
            return "buffered"
        return self._apply_push(state, snapshot, trace_id)

    def _apply_push(self, state: TaskState, snap: TaskSnapshot, trace_id: str | None) -> str:
        trace_id = trace_id or state.trace_id
        if state.result is not None:
            self._ignored(state, snap, trace_id, "task already finished")
            return "ignored"
        if snap.status.is_terminal:
            if not self.confirm:
                self._resolve(state, snap, "push", trace_id)
                return "accepted"
            # Pushes are unsigned: a terminal one only triggers a query, whose answer rules.
            state.hint = True
            self.hooks.emit("confirm", state.task_id, trace_id=trace_id, status=snap.status.value)
            if state.waiters:
                self.watchdog.poll_now(state, "confirm")
            return "confirming"
        if not self.registry.advance(state, snap):
            self._ignored(state, snap, trace_id, "duplicate or backward")
            return "ignored"
        state.polls = 0
        self.hooks.emit("push", state.task_id, trace_id=trace_id, status=snap.status.value)
        self._publish(state.task_id, snap)
        if state.waiters and not state.polling:
            self.watchdog.arm(state)  # news came: the quiet period starts over
        return "accepted"

    def _ignored(
        self, state: TaskState, snap: TaskSnapshot, trace_id: str | None, why: str
    ) -> None:
        self.hooks.emit(
            "push_ignored", state.task_id, trace_id=trace_id, status=snap.status.value, detail=why
        )

    # -- what the result bus calls (callbacks.BusSink) --------------------------------

    def deliver(self, snapshot: TaskSnapshot) -> None:
        """A push another worker received: applied only if this worker tracks the task."""
        if self.registry.get(snapshot.task_id) is not None:
            self.on_push(snapshot, relay=False)

    def degraded(self, poll_interval: float) -> None:
        """The bus is down: poll every waiting task now, then every ``poll_interval`` s."""
        self.watchdog.fallback(poll_interval)
        for state in self.registry.pending():
            if state.waiters and not self.closed:
                self.watchdog.poll_now(state, "poll")

    def restored(self) -> None:
        """The bus is back; the catch-up that follows delivers what was missed."""
        self.watchdog.fallback(None)

    def waiting(self) -> list[str]:
        """Ids of the tasks someone here waits on."""
        return [s.task_id for s in self.registry.pending() if s.waiters]

    # -- queries a handle made itself --------------------------------------------------

    def known(self, task_id: str) -> TaskSnapshot | None:
        """The furthest snapshot seen of the task, if any."""
        state = self.registry.get(task_id)
        return state.snapshot if state is not None else None

    def observe(self, snapshot: TaskSnapshot) -> None:
        """A query answer obtained outside the tracker (``task.refresh()``): the truth."""
        state, early = self.registry.register(snapshot.task_id)
        if early is not None and not state.waiters:
            self.registry.hold_early(early)  # kept for the waiter still to come
        if snapshot.status.is_terminal:
            self._resolve(state, snapshot, "query", state.trace_id)
        elif self.registry.advance(state, snapshot):
            self._publish(state.task_id, snapshot)

    # -- waiting -----------------------------------------------------------------------

    async def wait(
        self,
        ref: TaskRef,
        *,
        query: QueryFn,
        timeout: float | None,  # noqa: ASYNC109 - the caller's deadline for the task
        poll_now: bool = False,
    ) -> TaskSnapshot:
        """The task's terminal snapshot (Success or Fail); see ``CallbackServer.wait``.

        ``poll_now`` queries at once even with a receiver (a re-attached task, whose
        pushes may all have gone to a process that no longer exists).
        """
        state = self._enter(ref, query, poll_now=poll_now)
        if state.result is not None:
            self._leave(state)
            return state.result
        if state.future is None or state.future.done():
            state.future = asyncio.get_running_loop().create_future()
        future = state.future
        try:
            # shield: a cancelled or timed-out waiter leaves the shared future alone.
            if timeout is None:
                return await asyncio.shield(future)
            with anyio.move_on_after(timeout):
                return await asyncio.shield(future)
        finally:
            self._leave(state)
        if future.done():  # resolved in the instant the deadline passed
            return future.result()
        raise TaskTimeoutError(ref.task_id, timeout or 0.0, state.status.value)

    async def updates(
        self,
        ref: TaskRef,
        *,
        query: QueryFn,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> AsyncGenerator[TaskSnapshot, None]:
        """The task's current status first, then each new one, ending after the terminal.

        The current status is the furthest one seen; if nothing is known yet, the task
        is queried at once (with or without a receiver) and its answer comes first.
        """
        queue: asyncio.Queue[_Item] = asyncio.Queue()
        # Listening before _enter: nothing it replays or receives can slip past.
        self._listeners.setdefault(ref.task_id, []).append(queue)
        try:
            state = self._enter(ref, query, poll_now=False)
        except BaseException:
            self._unlisten(ref.task_id, queue)
            raise
        try:
            current = state.result or state.snapshot
            if current is not None:
                queue.put_nowait(current)
            elif not state.polling:
                self.watchdog.poll_now(state, "now")
            deadline = None if timeout is None else anyio.current_time() + timeout
            last = None
            while True:
                item = await self._next(queue, deadline, ref, state, timeout)
                if isinstance(item, BaseException):
                    raise item
                if item.status is last:
                    continue
                last = item.status
                yield item
                if item.is_terminal:
                    return
        finally:
            self._unlisten(ref.task_id, queue)
            self._leave(state)

    def _unlisten(self, task_id: str, queue: asyncio.Queue[_Item]) -> None:
        listeners = self._listeners.get(task_id, [])
        listeners.remove(queue)
        if not listeners:
            self._listeners.pop(task_id, None)

    async def _next(
        self,
        queue: asyncio.Queue[_Item],
        deadline: float | None,
        ref: TaskRef,
        state: TaskState,
        timeout: float | None,  # noqa: ASYNC109
    ) -> _Item:
        # A cancel scope must never stay open across a yield to the consumer, so each wait
        # for an item gets its own; the deadline itself is absolute.
        if deadline is None:
            return await queue.get()
        with anyio.move_on_at(deadline):
            return await queue.get()
        raise TaskTimeoutError(ref.task_id, timeout or 0.0, state.status.value)

    def _enter(self, ref: TaskRef, query: QueryFn, *, poll_now: bool) -> TaskState:
        """Register one waiter (synchronously: no push can slip in between)."""
        if self.closed:
            raise ClosedError(f"task tracker is closed; cannot wait for task {ref.task_id}")
        state, early = self.registry.register(ref.task_id)
        state.query = query
        if ref.trace_id:
            state.trace_id = ref.trace_id
        state.waiters += 1
        if state.waiters == 1 and state.result is None:
            self._attach(state, early, poll_now=poll_now or not self.pushes)
        return state

    def _leave(self, state: TaskState) -> None:
        state.waiters -= 1
        if state.waiters == 0:
            state.query = None  # it holds the waiter's client: no waiter, no reference
        if state.waiters == 0 and state.result is None:
            # Detach only: the remote job goes on; state stays for a re-attach.
            self.watchdog.disarm(state)
            self.hooks.emit("detached", state.task_id, trace_id=state.trace_id)

    def _attach(self, state: TaskState, early: TaskSnapshot | None, *, poll_now: bool) -> None:
        self.hooks.emit(
            "registered", state.task_id, trace_id=state.trace_id, status=state.status.value
        )
        if self.bus is not None:
            self.bus.watch(state.task_id)  # pushes another worker already received
        if early is not None:
            self._apply_push(state, early, None)
        if state.result is not None or state.polling:
            return
        if state.hint:
            self.watchdog.poll_now(state, "confirm")
        elif poll_now:
            self.watchdog.poll_now(state, "now")
        elif state.timer is None:
            self.watchdog.arm(state)

    # -- polling -----------------------------------------------------------------------

    async def _poll(self, state: TaskState, reason: str) -> None:
        query = state.query
        if query is None or state.result is not None or not state.waiters or self.closed:
            return
        state.hint = False
        self.hooks.emit("poll", state.task_id, trace_id=state.trace_id, detail=reason)
        try:
            snap = await query()
        except Exception as exc:
            if not is_transient(exc):
                self._fail(state, exc)  # polling again cannot fix it (or a bug)
                return
            self._poll_failed(state, f"{type(exc).__name__}: {exc}")
            return
        if snap.task_id != state.task_id:
            self._poll_failed(state, f"query answered for task {snap.task_id!r}")
            return
        state.failures = 0
        if snap.status.is_terminal:
            self._resolve(state, snap, reason, state.trace_id)
            return
        if self.registry.advance(state, snap):
            self._publish(state.task_id, snap)
        if not state.hint:
            if reason != "now":  # the first look does not stretch the schedule
                state.polls += 1
            self.watchdog.arm(state)

    def _poll_failed(self, state: TaskState, detail: str) -> None:
        state.polls += 1
        state.failures += 1
        self.hooks.emit("poll_error", state.task_id, trace_id=state.trace_id, detail=detail)
        if state.waiters and not self.closed:
            # An unanswered confirming query must not wait out a long quiet period.
            retry = state.failures <= self.retry.max_retries
            sooner = self.retry.delay(state.failures - 1) if retry else None
            self.watchdog.arm(state, sooner=sooner)

    # -- outcomes ----------------------------------------------------------------------

    def _resolve(
        self, state: TaskState, snap: TaskSnapshot, source: str, trace: str | None
    ) -> None:
        if not self.registry.resolve(state, snap):
            return
        self.watchdog.disarm(state)
        future = state.future
        if future is not None and not future.done():
            future.set_result(snap)
        self.hooks.emit(
            "completed", state.task_id, trace_id=trace, status=snap.status.value, detail=source
        )
        if self.bus is not None:
            self.bus.completed(state.task_id)
        self._publish(state.task_id, snap)

    def _fail(self, state: TaskState, exc: BaseException) -> None:
        self.watchdog.disarm(state)
        future, state.future = state.future, None
        if future is not None and not future.done():
            future.set_exception(exc)
            future.exception()  # marks it retrieved: waiters re-raise it via result()
        self.hooks.emit(
            "failed", state.task_id, trace_id=state.trace_id, detail=f"{type(exc).__name__}: {exc}"
        )
        self._publish(state.task_id, exc)

    def _publish(self, task_id: str, item: _Item) -> None:
        for queue in self._listeners.get(task_id, ()):
            queue.put_nowait(item)

    # -- shutdown ----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Fail pending waiters with ClosedError, stop timers and polls, end updates."""
        if self.closed:
            return
        self.closed = True
        for state in self.registry.pending():
            self.watchdog.disarm(state)
            future = state.future
            if future is not None and not future.done():
                future.set_exception(_closed(state.task_id))
                future.exception()
        await self.watchdog.aclose()
        for task_id, queues in self._listeners.items():
            for queue in queues:
                queue.put_nowait(_closed(task_id))


def _closed(task_id: str) -> ClosedError:
    return ClosedError(
        f"closed while waiting; task {task_id} is still running at MiniMax; wait on its "
        "task_id again (a new client or receiver) or poll it"
    )
