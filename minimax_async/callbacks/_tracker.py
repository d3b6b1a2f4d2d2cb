"""The task lifecycle: pushes and polls in, exactly one result per task out."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable

import aiohttp
import anyio

from minimax_async._exceptions import (
    AuthenticationError,
    ClosedError,
    InvalidRequestError,
    MiniMaxError,
    SensitiveContentError,
    TaskTimeoutError,
)
from minimax_async.callbacks._hooks import Hooks
from minimax_async.callbacks._registry import QueryFn, TaskRegistry, TaskState
from minimax_async.callbacks._watchdog import Watchdog
from minimax_async.models import TaskSnapshot

__all__ = ("PERMANENT_ERRORS", "Tracker")

#: Query errors that polling again cannot fix: they fail the waiter at once.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    AuthenticationError,
    InvalidRequestError,
    SensitiveContentError,
    ClosedError,
)
_TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    MiniMaxError,
    OSError,
    TimeoutError,
    asyncio.TimeoutError,
    aiohttp.ClientError,
)


class Tracker:
    """Owns the registry's tasks: applies pushes, confirms, polls, resolves once."""

    def __init__(
        self,
        *,
        registry: TaskRegistry,
        hooks: Hooks,
        confirm: bool,
        quiet_period: float,
        max_poll_interval: float,
        poll_jitter: float,
        max_concurrent_polls: int,
        rng: random.Random | None = None,
    ) -> None:
        self.registry = registry
        self.hooks = hooks
        self.confirm = confirm
        self.watchdog = Watchdog(
            self._poll,
            quiet_period=quiet_period,
            max_interval=max_poll_interval,
            jitter=poll_jitter,
            max_concurrent=max_concurrent_polls,
            rng=rng,
        )
        self._listeners: dict[str, list[asyncio.Queue[TaskSnapshot | None]]] = {}
        self.closed = False
        #: Called with every push this process receives (the result bus publishes it).
        self.relay: Callable[[TaskSnapshot], None] | None = None

    # -- pushes ------------------------------------------------------------------------

    def on_push(
        self, snapshot: TaskSnapshot, *, trace_id: str | None = None, relay: bool = True
    ) -> str:
        """Apply one validated push; returns "accepted", "confirming", "buffered" or "ignored".

        ``relay=False`` for a push another worker relayed (it is not relayed again).
        """
        if relay and self.relay is not None:
            # Even while closing: a worker shutting down still gets pushes on connections
            # kept alive to it, and the worker awaiting the task must hear of them.
            self.relay(snapshot)
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

    # -- waiting -----------------------------------------------------------------------

    async def wait(
        self,
        task_id: str,
        *,
        query: QueryFn,
        timeout: float | None,  # noqa: ASYNC109 - the caller's deadline for the task
        trace_id: str | None,
    ) -> TaskSnapshot:
        """Register the task and return its terminal snapshot (see CallbackServer.wait)."""
        if self.closed:
            raise ClosedError(f"callback receiver is closed; cannot wait for task {task_id}")
        state, early = self.registry.register(task_id)
        state.query = query
        if trace_id:
            state.trace_id = trace_id
        if state.result is not None:
            return state.result
        if state.future is None or state.future.done():
            state.future = asyncio.get_running_loop().create_future()
        future = state.future
        state.waiters += 1
        if state.waiters == 1:
            self._attach(state, early)
        try:
            # shield: a cancelled or timed-out waiter leaves the shared future alone.
            if timeout is None:
                return await asyncio.shield(future)
            with anyio.move_on_after(timeout):
                return await asyncio.shield(future)
        finally:
            state.waiters -= 1
            if state.waiters == 0 and not future.done():
                # Detach only: the remote job goes on; state stays for a re-attach.
                self.watchdog.disarm(state)
                self.hooks.emit("detached", task_id, trace_id=state.trace_id)
        if future.done():  # resolved in the instant the deadline passed
            return future.result()
        raise TaskTimeoutError(task_id, timeout or 0.0, state.status.value)

    def _attach(self, state: TaskState, early: TaskSnapshot | None) -> None:
        self.hooks.emit(
            "registered", state.task_id, trace_id=state.trace_id, status=state.status.value
        )
        if early is not None:
            self._apply_push(state, early, None)
        if state.result is not None or state.polling:
            return
        if state.hint:
            self.watchdog.poll_now(state, "confirm")
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
        except PERMANENT_ERRORS as exc:
            self._fail(state, exc)
            return
        except _TRANSIENT_ERRORS as exc:
            self._retry_later(state, f"{type(exc).__name__}: {exc}")
            return
        except Exception as exc:
            # Not an error a query is expected to raise: a bug; polling again won't help.
            self._fail(state, exc)
            return
        if snap.task_id != state.task_id:
            self._retry_later(state, f"query answered for task {snap.task_id!r}")
            return
        if snap.status.is_terminal:
            self._resolve(state, snap, reason, state.trace_id)
            return
        if self.registry.advance(state, snap):
            self._publish(state.task_id, snap)
        if not state.hint:
            state.polls += 1
            self.watchdog.arm(state)

    def _retry_later(self, state: TaskState, detail: str) -> None:
        state.polls += 1
        self.hooks.emit("poll_error", state.task_id, trace_id=state.trace_id, detail=detail)
        if state.waiters and not self.closed:
            self.watchdog.arm(state)

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

    # -- updates -----------------------------------------------------------------------

    async def updates(self, task_id: str) -> AsyncIterator[TaskSnapshot]:
        """Every accepted snapshot of the task, ending after the terminal one."""
        if self.closed:
            raise ClosedError("callback receiver is closed")
        queue: asyncio.Queue[TaskSnapshot | None] = asyncio.Queue()
        listeners = self._listeners.setdefault(task_id, [])
        listeners.append(queue)
        state = self.registry.get(task_id)
        if state is not None and state.snapshot is not None:
            queue.put_nowait(state.snapshot)
        try:
            while True:
                snap = await queue.get()
                if snap is None:
                    raise ClosedError(f"callback receiver closed while watching task {task_id}")
                yield snap
                if snap.is_terminal:
                    return
        finally:
            listeners.remove(queue)
            if not listeners:
                self._listeners.pop(task_id, None)

    def _publish(self, task_id: str, snap: TaskSnapshot) -> None:
        for queue in self._listeners.get(task_id, ()):
            queue.put_nowait(snap)

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
                future.set_exception(
                    ClosedError(
                        f"callback receiver closed; task {state.task_id} is still running at "
                        "MiniMax; wait on its task_id again (new receiver) or poll it"
                    )
                )
                future.exception()
        await self.watchdog.aclose()
        for queues in self._listeners.values():
            for queue in queues:
                queue.put_nowait(None)
