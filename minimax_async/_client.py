""":class:`AsyncMiniMax`, the async client for every MiniMax video endpoint."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

from minimax_async._config import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RPM,
    DEFAULT_TIMEOUT,
    ClientConfig,
    resolve_config,
)
from minimax_async._engine import ResultWaiter, TaskEngine
from minimax_async._exceptions import ClosedError, InvalidInputError
from minimax_async._limits import InFlightLimiter, RateLimiter, SharedLimits
from minimax_async._ref import TaskKind, TaskRef
from minimax_async._tasks import V2PromptTask, V2VideoTask, VideoAgentTask, VideoTask
from minimax_async._transport import Transport
from minimax_async.durable._durability import Durability, ResultHandler, ResumeReport
from minimax_async.durable._journal import TaskJournal
from minimax_async.resources import Files, VideoAgent, Videos
from minimax_async.resources._base import Core
from minimax_async.resources.video_v2 import CONTEXT_IR_PATH

if TYPE_CHECKING:
    import aiohttp

__all__ = ("AsyncMiniMax",)

logger = logging.getLogger(__name__)


class AsyncMiniMax:
    """Async client for MiniMax video generation (V1 Hailuo modes and Video Agent).

    ::

        async with AsyncMiniMax() as client:     # MINIMAX_API_KEY, MINIMAX_BASE_URL
            task = await client.video.create(prompt="A lighthouse at dusk [Pan left]")
            video = await task.result(timeout=1800)
            await video.download("lighthouse.mp4")

    One aiohttp session per client (created on first use), or ``session=`` to borrow
    yours (it is never closed here). ``callbacks=`` attaches a callback receiver: the
    client starts it if needed, fills ``callback_url`` into creates, and waits on it in
    ``task.result()``. Limits: ``rpm`` (None disables), ``max_in_flight`` (None
    disables), ``max_connections``; ``limits=RedisLimits(url, workers=N)`` shares
    ``rpm`` and ``max_in_flight`` with every worker of the account. See
    :mod:`minimax_async._config` for each default and its source.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        region: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rpm: float | None = DEFAULT_RPM,
        max_in_flight: int | None = DEFAULT_MAX_IN_FLIGHT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        callbacks: ResultWaiter | None = None,
        session: aiohttp.ClientSession | None = None,
        journal: TaskJournal | None = None,
        handler_lease: float = 300.0,
        limits: SharedLimits | None = None,
    ) -> None:
        config = resolve_config(
            api_key=api_key,
            base_url=base_url,
            region=region,
            timeout=timeout,
            max_retries=max_retries,
            rpm=rpm,
            max_in_flight=max_in_flight,
            max_connections=max_connections,
            poll_interval=poll_interval,
        )
        self._config = config
        self._limits = limits
        self._transport = Transport(config, session=session)
        self._core = Core(
            config=config,
            transport=self._transport,
            limiter=_rate_limiter(config, limits),
            in_flight=(
                limits.in_flight_limiter(config.api_key, config.max_in_flight)
                if limits is not None
                else InFlightLimiter(config.max_in_flight)
            ),
            waiter=callbacks,
            durability=(
                Durability(journal, handler_lease=handler_lease) if journal is not None else None
            ),
        )
        self._engine = TaskEngine(self._core, files=self.files)
        if self._core.durability is not None:
            self._core.durability.bind(self._handle_for)
        self._closed = False

    def _handle_for(
        self, ref: TaskRef, endpoint: str | None
    ) -> VideoTask | VideoAgentTask | V2VideoTask | V2PromptTask:
        if ref.kind == "agent":
            return VideoAgentTask(ref, self._engine)
        if ref.kind == "v2" and endpoint == CONTEXT_IR_PATH:
            return V2PromptTask(ref, self._engine)
        if ref.kind == "v2":
            return V2VideoTask(ref, self._engine, self.video.v2)
        return VideoTask(ref, self._engine)

    # -- durability (minimax_async.durable) ----------------------------------------------

    @property
    def journal(self) -> TaskJournal | None:
        """The task journal, if the client has one."""
        durability = self._core.durability
        return durability.journal if durability is not None else None

    def _durability(self) -> Durability:
        if self._core.durability is None:
            raise InvalidInputError("journal", None, "this needs AsyncMiniMax(journal=...)")
        return self._core.durability

    def on_result(self, kind: TaskKind, handler: ResultHandler) -> None:
        """Run ``await handler(entry)`` once per finished task of ``kind``, across restarts.

        Register handlers before :meth:`resume`. See :mod:`minimax_async.durable` for the
        precise guarantee (a handler interrupted by a crash runs again).
        """
        self._durability().on_result(kind, handler)

    async def resume(self) -> ResumeReport:
        """After a restart: re-attach every unfinished task, report ambiguous creates.

        Nothing is resent. ``report.tasks`` are handles to await as usual (pushes held
        by the receiver or the result bus are matched, the rest is found by query);
        ``report.ambiguous`` are creates that may have reached MiniMax: settle them
        with :meth:`reconcile`. Finished tasks whose handler never completed get it run.
        """
        await self.start()
        return await self._durability().resume()

    async def reconcile(self, key: str, *, task_id: str | None) -> None:
        """Settle an ambiguous create: the task id it got, or None (never created)."""
        await self._durability().reconcile(key, task_id=task_id)

    async def drain(self) -> None:
        """Wait for running result handlers and journal writes to finish."""
        if self._core.durability is not None:
            await self._core.durability.drain()

    @property
    def config(self) -> ClientConfig:
        """The resolved settings (the key is kept out of its repr)."""
        return self._config

    @property
    def callbacks(self) -> ResultWaiter | None:
        """The attached callback receiver, if any."""
        return self._core.waiter

    @property
    def in_flight(self) -> int:
        """Tasks created by this client whose result has not been delivered yet."""
        return self._core.in_flight.in_flight

    @cached_property
    def files(self) -> Files:
        """``files/retrieve`` and file downloads."""
        return Files(self._core)

    @cached_property
    def video(self) -> Videos:
        """Video tasks: V1 (Hailuo, S2V) and V2 (MiniMax-H3, H3-Max), picked by model."""
        return Videos(self._core, self._engine)

    @cached_property
    def video_agent(self) -> VideoAgent:
        """Video Agent (template) tasks and the template catalogue."""
        return VideoAgent(self._core, self._engine)

    @overload
    def task_from_dict(self, data: Mapping[str, Any], *, kind: Literal["video"]) -> VideoTask: ...

    @overload
    def task_from_dict(
        self, data: Mapping[str, Any], *, kind: Literal["agent"]
    ) -> VideoAgentTask: ...

    @overload
    def task_from_dict(self, data: Mapping[str, Any], *, kind: Literal["v2"]) -> V2VideoTask: ...

    @overload
    def task_from_dict(
        self, data: Mapping[str, Any], *, kind: None = None
    ) -> VideoTask | VideoAgentTask | V2VideoTask | V2PromptTask: ...

    def task_from_dict(
        self, data: Mapping[str, Any], *, kind: TaskKind | None = None
    ) -> VideoTask | VideoAgentTask | V2VideoTask | V2PromptTask:
        """Re-attach to a task saved with ``task.to_dict()`` (e.g. in another process).

        ``kind="video"`` (``"agent"``, ``"v2"``) says which handle you expect, so type
        checkers know it too; a record of another kind is refused rather than
        mis-handled. Without ``kind``, every handle's record comes back as that handle,
        an H3-Context-IR task's (``task_type``) as a :class:`V2PromptTask`.
        """
        saved = data.get("kind")
        if kind is not None and saved is not None and saved != kind:
            raise InvalidInputError("kind", saved, f"the record is not a {kind!r} task")
        wanted = kind if kind is not None else saved
        if wanted == "video":
            return self.video.task(data.get("task_id", ""))
        if wanted == "agent":
            return self.video_agent.task(data.get("task_id", ""))
        if wanted == "v2" and data.get("task_type") == "h3_context_ir":
            if kind is None:
                return self.video.v2.prompt_task(data.get("task_id", ""))
            raise InvalidInputError(
                "task_type",
                "h3_context_ir",
                "a prompt-enhancement task: re-attach it with client.video.v2.prompt_task(id)",
            )
        if wanted == "v2":
            return self.video.v2.task(data.get("task_id", ""))
        raise InvalidInputError("kind", wanted, "must be 'video', 'agent' or 'v2'")

    async def start(self) -> None:
        """Start the attached callback receiver if it is not running (idempotent)."""
        if self._closed:
            raise ClosedError("this AsyncMiniMax client is closed; create a new one")
        if self._core.durability is not None:
            await self._core.durability.journal.start()
        await self._core.start_waiter()

    async def aclose(self) -> None:
        """Close the session (unless borrowed) and a receiver this client started."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._engine.aclose()
            if self._core.started_waiter and self._core.waiter is not None:
                await self._core.waiter.aclose()
        finally:
            try:
                if self._core.durability is not None:
                    await self._core.durability.aclose()
                    await self._core.durability.journal.aclose()
            finally:
                try:
                    if self._limits is not None:
                        await self._limits.aclose()
                finally:
                    await self._transport.aclose()

    async def __aenter__(self) -> AsyncMiniMax:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncMiniMax base_url={self._config.base_url!r} region={self._config.region!r}>"


def _rate_limiter(config: ClientConfig, limits: SharedLimits | None) -> RateLimiter | None:
    if config.rpm is None:
        return None
    if limits is not None:
        return limits.rate_limiter(config.api_key, config.rpm)
    return RateLimiter(config.rpm)
