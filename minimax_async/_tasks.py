"""Task handles and result objects; no HTTP and no waiting logic in here.

A handle (:class:`VideoTask`, :class:`VideoAgentTask`, :class:`V2VideoTask` for
MiniMax-H3 and H3-Max) is what a create returns, or
what ``client.video.task(task_id)`` gives for an existing id (resuming in another
process). It is thin: a :class:`~minimax_async._ref.TaskRef` (kind, id, the create's
Trace-Id) and the client's :class:`~minimax_async._engine.TaskEngine`, through which
``await task.result(timeout=...)`` and ``task.updates()`` wait (pushes when the client
has a callback receiver, polls every ``poll_interval`` seconds otherwise). Success
becomes a :class:`Video` / :class:`AgentVideo`; Fail raises :class:`TaskFailedError`
carrying the last snapshot.

A handle made by a create holds one in-flight slot of the client's cap; the slot is
given back when the result (or the failure) is delivered, or on :meth:`close`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from minimax_async._download import Progress
from minimax_async._engine import TaskEngine
from minimax_async._exceptions import InvalidInputError, TaskFailedError, UnexpectedResponseError
from minimax_async._ref import TaskKind, TaskRef
from minimax_async._status import TaskStatus
from minimax_async.models import FileObject, TaskSnapshot, V2DeleteResponse, V2Snapshot, V2Usage

if TYPE_CHECKING:
    from minimax_async.resources.files import Files
    from minimax_async.resources.video_v2 import VideosV2

__all__ = (
    "AgentVideo",
    "TaskKind",
    "V2Prompt",
    "V2PromptTask",
    "V2Video",
    "V2VideoTask",
    "Video",
    "VideoAgentTask",
    "VideoTask",
)

R = TypeVar("R")


@dataclass(frozen=True, eq=False)
class Video:
    """A finished V1 video: ``file_id`` plus the pixel size the query reported."""

    task_id: str
    file_id: str
    width: int | None
    height: int | None
    snapshot: TaskSnapshot = field(repr=False)
    _files: Files = field(repr=False)

    async def file(self) -> FileObject:
        """files/retrieve for this video: size, name and a fresh ``download_url``."""
        return await self._files.retrieve(self.file_id)

    async def download(self, path: str | Path, *, progress: Progress | None = None) -> Path:
        """Stream the video to ``path`` (atomically, size-checked); returns the path."""
        return await self._files.download(self.file_id, path, progress=progress)


@dataclass(frozen=True, eq=False)
class AgentVideo:
    """A finished Video Agent video: a direct ``video_url`` (valid about 9 hours)."""

    task_id: str
    video_url: str
    snapshot: TaskSnapshot = field(repr=False)
    _engine: TaskEngine = field(repr=False)

    async def download(self, path: str | Path, *, progress: Progress | None = None) -> Path:
        """Stream the video to ``path``; an expired URL is replaced by re-querying."""
        return await self._engine.download_agent_video(self.task_id, self.video_url, path, progress)


@dataclass(frozen=True, eq=False)
class V2Video:
    """A finished MiniMax-H3 / H3-Max video: a direct, time-limited ``url``.

    MiniMax reports no pixel size for V2; ``resolution``, ``ratio`` and ``duration``
    are what the query said, ``usage`` what was counted for billing.
    """

    task_id: str
    url: str
    model: str | None
    resolution: str | None
    ratio: str | None
    duration: int | None
    usage: V2Usage | None
    snapshot: V2Snapshot = field(repr=False)
    _engine: TaskEngine = field(repr=False)

    async def download(self, path: str | Path, *, progress: Progress | None = None) -> Path:
        """Stream the video to ``path``; an expired ``url`` is replaced by re-querying."""
        ref = TaskRef("v2", self.task_id)
        return await self._engine.download_url(ref, self.url, path, progress)


class _TaskHandle(Generic[R]):
    """What both handles share: a reference to the task and to the client's engine."""

    __slots__ = ("_engine", "ref")

    def __init__(self, ref: TaskRef, engine: TaskEngine) -> None:
        self.ref = ref
        self._engine = engine

    @property
    def kind(self) -> TaskKind:
        """``"video"`` or ``"agent"``: which query endpoint answers for this task."""
        return self.ref.kind

    @property
    def task_id(self) -> str:
        return self.ref.task_id

    @property
    def trace_id(self) -> str | None:
        """Trace-Id of the create answer, for MiniMax support and the receiver's logs."""
        return self.ref.trace_id

    @property
    def snapshot(self) -> TaskSnapshot | None:
        """The furthest snapshot this client has seen of the task, if any."""
        return self._engine.known(self.task_id)

    @property
    def status(self) -> TaskStatus:
        """The last status seen (UNKNOWN before the first query or push)."""
        snap = self.snapshot
        return snap.status if snap is not None else TaskStatus.UNKNOWN

    def close(self) -> None:
        """Stop counting this task against ``max_in_flight`` (it keeps running remotely).

        A delivered result or failure does this by itself; call it for a task whose
        result you will not await here. Idempotent.
        """
        self._engine.release(self.task_id)

    async def cancel(self) -> V2DeleteResponse:
        """Cancel the task while it is queued: MiniMax's V2 API only (MiniMax-H3).

        V1 and Video Agent tasks raise InvalidInputError: MiniMax has no cancel there.
        """
        raise InvalidInputError(
            "task",
            self.task_id,
            f"a {self.kind} task cannot be cancelled: MiniMax's V1 API"
            " has no cancel (only V2 tasks, MiniMax-H3 and H3-Max, have one)",
        )

    def to_dict(self) -> dict[str, str]:
        """A JSON-safe record to re-attach later: ``client.task_from_dict(data)``."""
        return {"kind": self.kind, "task_id": self.task_id}

    async def refresh(self) -> TaskSnapshot:
        """Query the task once; the answer is what :attr:`status` shows from now on."""
        return await self._engine.refresh(self.ref)

    async def result(self, *, timeout: float | None = None) -> R:
        """Wait until the task ends; its result on Success, TaskFailedError on Fail.

        ``timeout`` (seconds, None = no limit) raises :class:`TaskTimeoutError`; the
        remote task goes on and a later ``result()`` picks it up again.
        """
        return self._deliver(await self._engine.wait(self.ref, timeout=timeout))

    async def updates(
        self,
        *,
        timeout: float | None = None,
    ) -> AsyncIterator[TaskSnapshot]:
        """Yield the current status, then each new one, until a terminal one (last).

        With a callback receiver the statuses come from its pushes (and polls when
        pushes go quiet); without one, from polling every ``poll_interval``.
        ``timeout`` bounds the whole wait; time spent in your loop body counts too.
        """
        async for snap in self._engine.updates(self.ref, timeout=timeout):
            yield snap

    def _deliver(self, snap: TaskSnapshot) -> R:
        if snap.status is TaskStatus.FAIL:
            raise TaskFailedError(snap)
        if snap.status is not TaskStatus.SUCCESS:
            raise ValueError(f"task {self.task_id} is {snap.status.value}, not finished")
        return self._make_result(snap)

    def _make_result(self, snap: TaskSnapshot) -> R:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.task_id} {self.status.value}>"


class VideoTask(_TaskHandle[Video]):
    """A V1 video task (any mode); ``await task.result()`` gives a :class:`Video`."""

    __slots__ = ()

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
            _files=self._engine.files,
        )


class VideoAgentTask(_TaskHandle[AgentVideo]):
    """A Video Agent task; ``await task.result()`` gives an :class:`AgentVideo`."""

    __slots__ = ()

    def _make_result(self, snap: TaskSnapshot) -> AgentVideo:
        if not snap.video_url:
            raise UnexpectedResponseError(f"task {self.task_id} is Success but has no video_url")
        return AgentVideo(
            task_id=self.task_id,
            video_url=snap.video_url,
            snapshot=snap,
            _engine=self._engine,
        )


class V2VideoTask(_TaskHandle[V2Video]):
    """A MiniMax-H3 / H3-Max task; ``await task.result()`` gives a :class:`V2Video`.

    Statuses arrive in the shared vocabulary (``queued`` is Queueing, ``running``
    Processing, ``succeeded`` Success; ``failed``, ``cancelled`` and ``expired`` are
    Fail, with the V2 word in the snapshot's ``raw_status``).
    """

    __slots__ = ("_api",)

    def __init__(self, ref: TaskRef, engine: TaskEngine, api: VideosV2) -> None:
        super().__init__(ref, engine)
        self._api = api

    async def cancel(self) -> V2DeleteResponse:
        """Cancel the task while it is queued (not billed); any other status is refused
        with InvalidInputError, so a finished task's record is never deleted by it."""
        answer = await self._api.cancel(self.task_id)
        await self.refresh()  # the handle's status says cancelled from now on
        self.close()  # no result will come: the in-flight slot goes back now
        return answer

    def _make_result(self, snap: TaskSnapshot) -> V2Video:
        if not isinstance(snap, V2Snapshot) or not snap.video_url:
            raise UnexpectedResponseError(f"task {self.task_id} succeeded but has no content.url")
        task = snap.task
        return V2Video(
            task_id=self.task_id,
            url=snap.video_url,
            model=task.model,
            resolution=task.resolution,
            ratio=task.ratio,
            duration=task.duration,
            usage=task.usage,
            snapshot=snap,
            _engine=self._engine,
        )


@dataclass(frozen=True, eq=False)
class V2Prompt:
    """A finished H3-Context-IR task: MiniMax's structured, enhanced ``prompt`` (text)."""

    task_id: str
    prompt: str
    usage: V2Usage | None
    snapshot: V2Snapshot = field(repr=False)


class V2PromptTask(_TaskHandle[V2Prompt]):
    """A ``/v2/h3_context_ir`` task; ``await task.result()`` gives a :class:`V2Prompt`."""

    __slots__ = ()

    def to_dict(self) -> dict[str, str]:
        """As for every handle, plus the task type, so the record re-attaches to this."""
        return {**super().to_dict(), "task_type": "h3_context_ir"}

    async def cancel(self) -> V2DeleteResponse:
        """Raises InvalidInputError: MiniMax documents cancel for V2 video tasks only."""
        raise InvalidInputError(
            "task",
            self.task_id,
            "an H3-Context-IR task cannot be cancelled: MiniMax documents cancel"
            " (DELETE /v2/video_generation/{id}) for V2 video tasks only",
        )

    def _make_result(self, snap: TaskSnapshot) -> V2Prompt:
        if not isinstance(snap, V2Snapshot) or not (snap.task.content and snap.task.content.prompt):
            raise UnexpectedResponseError(f"task {self.task_id} succeeded but has no prompt")
        return V2Prompt(self.task_id, snap.task.content.prompt, snap.task.usage, snap)
