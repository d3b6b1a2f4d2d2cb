"""Task handles and result objects; no HTTP in here.

A handle (:class:`VideoTask`, :class:`VideoAgentTask`) is what a create returns, or
what ``client.video.task(task_id)`` gives for an existing id (resuming in another
process). ``await task.result(timeout=...)`` waits through the callback receiver when
the client has one, and otherwise polls the query endpoint every ``poll_interval``
seconds (jittered). Success becomes a :class:`Video` / :class:`AgentVideo`; Fail raises
:class:`TaskFailedError` carrying the last snapshot.

A handle made by a create holds one in-flight slot of the client's cap; the slot is
given back when the result (or the failure) is delivered, on :meth:`forget`, or when
the handle is garbage-collected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, Protocol, TypeVar

import anyio

from minimax_async._download import Progress
from minimax_async._exceptions import (
    HTTPStatusError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
    UnexpectedResponseError,
)
from minimax_async._limits import Slot
from minimax_async._status import TaskStatus
from minimax_async.models import FileObject, TaskSnapshot

__all__ = (
    "AgentVideo",
    "ResultWaiter",
    "TaskKind",
    "Video",
    "VideoAgentTask",
    "VideoTask",
)

logger = logging.getLogger(__name__)

TaskKind = Literal["video", "agent"]
QueryFn = Callable[[], Awaitable[TaskSnapshot]]
R = TypeVar("R")

_POLL_JITTER = 0.2  # +-20 %: many tasks created together do not poll in lockstep


class ResultWaiter(Protocol):
    """What the client needs from a callback receiver (``CallbackServer`` fits)."""

    @property
    def running(self) -> bool: ...

    def callback_url(self, kind: Literal["video", "agent"] = "video") -> str: ...

    async def wait(
        self,
        task_id: str,
        *,
        query: QueryFn,
        timeout: float | None = None,  # noqa: ASYNC109 - the receiver's contract
        trace_id: str | None = None,
    ) -> TaskSnapshot: ...

    def updates(self, task_id: str) -> AsyncIterator[TaskSnapshot]: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


class _VideoBackend(Protocol):
    """The client side a video handle and its result need (the video resource)."""

    poll_interval: float
    waiter: ResultWaiter | None

    async def snapshot(self, task_id: str) -> TaskSnapshot: ...

    async def retrieve_file(self, file_id: str) -> FileObject: ...

    async def download_file(
        self, file_id: str, path: str | Path, *, progress: Progress | None
    ) -> Path: ...


class _AgentBackend(Protocol):
    """The client side an agent handle and its result need (the video_agent resource)."""

    poll_interval: float
    waiter: ResultWaiter | None

    async def snapshot(self, task_id: str) -> TaskSnapshot: ...

    async def download_result(
        self, task_id: str, video_url: str, path: str | Path, *, progress: Progress | None
    ) -> Path: ...


@dataclass(frozen=True, eq=False)
class Video:
    """A finished V1 video: ``file_id`` plus the pixel size the query reported."""

    task_id: str
    file_id: str
    width: int | None
    height: int | None
    snapshot: TaskSnapshot = field(repr=False)
    _backend: _VideoBackend = field(repr=False)

    async def file(self) -> FileObject:
        """files/retrieve for this video: size, name and a fresh ``download_url``."""
        return await self._backend.retrieve_file(self.file_id)

    async def download(self, path: str | Path, *, progress: Progress | None = None) -> Path:
        """Stream the video to ``path`` (atomically, size-checked); returns the path."""
        return await self._backend.download_file(self.file_id, path, progress=progress)


@dataclass(frozen=True, eq=False)
class AgentVideo:
    """A finished Video Agent video: a direct ``video_url`` (valid about 9 hours)."""

    task_id: str
    video_url: str
    snapshot: TaskSnapshot = field(repr=False)
    _backend: _AgentBackend = field(repr=False)

    async def download(self, path: str | Path, *, progress: Progress | None = None) -> Path:
        """Stream the video to ``path``; an expired URL is replaced by re-querying."""
        return await self._backend.download_result(
            self.task_id, self.video_url, path, progress=progress
        )


class _TaskHandle(Generic[R]):
    """Shared machinery of both handles: waiting, polling, the in-flight slot."""

    kind: TaskKind

    def __init__(
        self,
        task_id: str,
        *,
        backend: Any,
        slot: Slot | None = None,
        snapshot: TaskSnapshot | None = None,
        trace_id: str | None = None,
    ) -> None:
        self.task_id = str(task_id)
        #: Trace-Id of the create answer, for MiniMax support and the receiver's logs.
        self.trace_id = trace_id
        self._backend = backend
        self._snapshot = snapshot
        self._slot = slot

    def __del__(self) -> None:
        # A dropped handle must not hold its slot forever. (A __del__ rather than
        # weakref.finalize: one finalizer object per create was ~3% of a create's
        # client-side cost. Slot.release is idempotent and safe from any thread.)
        slot = getattr(self, "_slot", None)
        if slot is not None:
            slot.release()

    @property
    def status(self) -> TaskStatus:
        """The last status seen (UNKNOWN before the first query or push)."""
        return self._snapshot.status if self._snapshot else TaskStatus.UNKNOWN

    @property
    def snapshot(self) -> TaskSnapshot | None:
        """The last snapshot seen, if any."""
        return self._snapshot

    def forget(self) -> None:
        """Stop counting this task against ``max_in_flight`` (it keeps running remotely)."""
        if self._slot is not None:
            self._slot.release()

    def to_dict(self) -> dict[str, str]:
        """A JSON-safe record to re-attach later: ``client.task_from_dict(data)``."""
        return {"kind": self.kind, "task_id": self.task_id}

    async def refresh(self) -> TaskSnapshot:
        """Query the task once and remember the answer."""
        snap: TaskSnapshot = await self._backend.snapshot(self.task_id)
        self._snapshot = snap
        observed = getattr(self._backend, "journal_observed", None)
        if observed is not None:
            observed(snap)
        return snap

    async def result(self, *, timeout: float | None = None) -> R:  # noqa: ASYNC109
        """Wait until the task ends; its result on Success, TaskFailedError on Fail.

        ``timeout`` (seconds, None = no limit) raises :class:`TaskTimeoutError`; the
        remote task goes on and a later ``result()`` picks it up again.
        """
        waiter: ResultWaiter | None = self._backend.waiter
        if waiter is not None:
            snap = await waiter.wait(
                self.task_id, query=self.refresh, timeout=timeout, trace_id=self.trace_id
            )
        else:
            snap = await self._poll(timeout)
        self._snapshot = snap
        finished = getattr(self._backend, "journal_finished", None)
        if finished is not None:
            # Journaled before it is delivered: a restart never loses a delivered result.
            await finished(self.kind, snap)
        return self._deliver(snap)

    async def updates(
        self,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> AsyncIterator[TaskSnapshot]:
        """Yield each new status until a terminal one, which is yielded last.

        With a callback receiver the statuses come from its pushes (and its watchdog
        when pushes go quiet); without one, from polling every ``poll_interval``.
        """
        waiter: ResultWaiter | None = self._backend.waiter
        if waiter is not None:
            async for pushed in self._pushed_updates(waiter, timeout):
                yield pushed
            return
        deadline = _absolute(timeout)
        last: TaskStatus | None = None
        while True:
            # The deadline scope never spans a yield: the consumer runs between them.
            with _deadline(self, deadline, timeout):
                snap = await self._poll_once()
            if snap is not None and snap.status is not last:
                last = snap.status
                yield snap
                if snap.is_terminal:
                    return
            with _deadline(self, deadline, timeout):
                await anyio.sleep(self._interval())

    async def _pushed_updates(
        self,
        waiter: ResultWaiter,
        timeout: float | None,  # noqa: ASYNC109
    ) -> AsyncIterator[TaskSnapshot]:
        # The stream is subscribed before wait() registers the task, so no push that
        # wait() replays or receives can slip past it; wait() arms the watchdog and
        # raises TaskTimeoutError (or ClosedError) through `waiting`.
        stream = waiter.updates(self.task_id).__aiter__()
        pending: asyncio.Future[TaskSnapshot] = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)  # let the stream subscribe first
        waiting = asyncio.ensure_future(
            waiter.wait(self.task_id, query=self.refresh, timeout=timeout, trace_id=self.trace_id)
        )
        last: TaskStatus | None = None
        try:
            while True:
                await asyncio.wait({pending, waiting}, return_when=asyncio.FIRST_COMPLETED)
                if pending.done():
                    try:
                        snap = pending.result()
                    except StopAsyncIteration:
                        snap = await waiting
                    else:
                        pending = asyncio.ensure_future(stream.__anext__())
                else:
                    snap = waiting.result()
                if snap.status is not last:
                    last = snap.status
                    self._snapshot = snap
                    yield snap
                if snap.is_terminal:
                    return
        finally:
            for future in (pending, waiting):
                future.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(pending, waiting, return_exceptions=True)
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(BaseException):
                    await aclose()

    async def _poll(self, timeout: float | None) -> TaskSnapshot:  # noqa: ASYNC109
        with _deadline(self, _absolute(timeout), timeout):
            while True:
                snap = await self._poll_once()
                if snap is not None and snap.is_terminal:
                    return snap
                await anyio.sleep(self._interval())
        raise AssertionError("unreachable")  # pragma: no cover - _deadline raises

    async def _poll_once(self) -> TaskSnapshot | None:
        """One query; a transient failure (after the transport's retries) is skipped."""
        try:
            return await self.refresh()
        except (RateLimitError, ServerError, TransportError) as exc:
            logger.warning("query of task %s failed (%s); polling on", self.task_id, exc)
        except HTTPStatusError as exc:
            if exc.status_code < 500:
                raise
            logger.warning("query of task %s failed (%s); polling on", self.task_id, exc)
        return None

    def _interval(self) -> float:
        base: float = self._backend.poll_interval
        return base * random.uniform(1 - _POLL_JITTER, 1 + _POLL_JITTER)

    def _deliver(self, snap: TaskSnapshot) -> R:
        if snap.status is TaskStatus.FAIL:
            self.forget()
            raise TaskFailedError(snap)
        if snap.status is not TaskStatus.SUCCESS:
            raise ValueError(f"task {self.task_id} is {snap.status.value}, not finished")
        result = self._make_result(snap)
        self.forget()
        return result

    def _make_result(self, snap: TaskSnapshot) -> R:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.task_id} {self.status.value}>"


class VideoTask(_TaskHandle[Video]):
    """A V1 video task (any mode); ``await task.result()`` gives a :class:`Video`."""

    kind: TaskKind = "video"

    def _make_result(self, snap: TaskSnapshot) -> Video:
        if not snap.file_id:
            # The task did not fail: the answer is malformed, and a later query may be whole.
            raise UnexpectedResponseError(f"task {self.task_id} is Success but has no file_id")
        return Video(
            task_id=self.task_id,
            file_id=snap.file_id,
            width=snap.video_width,
            height=snap.video_height,
            snapshot=snap,
            _backend=self._backend,
        )


class VideoAgentTask(_TaskHandle[AgentVideo]):
    """A Video Agent task; ``await task.result()`` gives an :class:`AgentVideo`."""

    kind: TaskKind = "agent"

    def _make_result(self, snap: TaskSnapshot) -> AgentVideo:
        if not snap.video_url:
            raise UnexpectedResponseError(f"task {self.task_id} is Success but has no video_url")
        return AgentVideo(
            task_id=self.task_id, video_url=snap.video_url, snapshot=snap, _backend=self._backend
        )


def _absolute(timeout: float | None) -> float:
    return math.inf if timeout is None else anyio.current_time() + timeout


@contextlib.contextmanager
def _deadline(handle: _TaskHandle[Any], deadline: float, timeout: float | None) -> Iterator[None]:
    """Cancel at ``deadline`` and turn that into TaskTimeoutError with the last status."""
    with anyio.CancelScope(deadline=deadline) as scope:
        yield
    if scope.cancelled_caught:
        raise TaskTimeoutError(handle.task_id, timeout or 0.0, handle.status.value)
