"""minimax-async: an asyncio SDK for MiniMax video generation.

The public surface is this module's ``__all__``; everything in a ``_private`` module
is an implementation detail. The emulator lives in :mod:`minimax_async.emulator`.

Names are imported on first use (PEP 562), so ``import minimax_async`` stays cheap and
``from minimax_async import AsyncMiniMax`` loads the client without the receiver's HTTP
server, the journals or Redis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minimax_async._exceptions import (
    AmbiguousCreateError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ClosedError,
    DownloadError,
    HTTPStatusError,
    InvalidInputError,
    InvalidRequestError,
    JournalLockedError,
    MiniMaxError,
    MissingDependencyError,
    QuotaError,
    RateLimitError,
    RedisUnavailableError,
    SelfCheckError,
    SensitiveContentError,
    ServerError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
    UnexpectedResponseError,
)
from minimax_async._lazy import LazyExports as _LazyExports
from minimax_async._status import TaskStatus
from minimax_async._version import __version__

if TYPE_CHECKING:
    from minimax_async._camera import CameraCommandWarning, CameraMove, camera
    from minimax_async._catalog import TEMPLATES, Mode, Template
    from minimax_async._client import AsyncMiniMax
    from minimax_async._config import ClientConfig
    from minimax_async._download import Progress
    from minimax_async._engine import ResultWaiter
    from minimax_async._retry import no_backoff
    from minimax_async._tasks import (
        AgentVideo,
        V2Prompt,
        V2PromptTask,
        V2Video,
        V2VideoTask,
        Video,
        VideoAgentTask,
        VideoTask,
    )
    from minimax_async.callbacks import CallbackEvent, CallbackServer
    from minimax_async.durable import (
        JournalEntry,
        JSONLJournal,
        MemoryJournal,
        RedisBus,
        RedisJournal,
        RedisLimits,
        ResumeReport,
        SQLiteJournal,
        TaskJournal,
    )
    from minimax_async.resources.video_agent import TemplateWarning

__all__ = (  # noqa: RUF022 - grouped by concept, as the README presents them
    # The client and its settings
    "AsyncMiniMax",
    "ClientConfig",
    # Tasks and their results
    "AgentVideo",
    "Progress",
    "TaskStatus",
    "V2Prompt",
    "V2PromptTask",
    "V2Video",
    "V2VideoTask",
    "Video",
    "VideoAgentTask",
    "VideoTask",
    # What a create takes besides plain values
    "TEMPLATES",
    "CameraCommandWarning",
    "CameraMove",
    "Mode",
    "Template",
    "TemplateWarning",
    "camera",
    # Callbacks: the bundled receiver, or any ResultWaiter of your own
    "CallbackEvent",
    "CallbackServer",
    "ResultWaiter",
    # Restarts and several workers
    "JournalEntry",
    "JSONLJournal",
    "MemoryJournal",
    "RedisBus",
    "RedisJournal",
    "RedisLimits",
    "ResumeReport",
    "SQLiteJournal",
    "TaskJournal",
    # Errors (the tree is drawn in minimax_async._exceptions)
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AmbiguousCreateError",
    "AuthenticationError",
    "ClosedError",
    "DownloadError",
    "HTTPStatusError",
    "InvalidInputError",
    "InvalidRequestError",
    "JournalLockedError",
    "MiniMaxError",
    "MissingDependencyError",
    "QuotaError",
    "RateLimitError",
    "RedisUnavailableError",
    "SelfCheckError",
    "SensitiveContentError",
    "ServerError",
    "TaskFailedError",
    "TaskTimeoutError",
    "TransportError",
    "UnexpectedResponseError",
    # Tests
    "no_backoff",
    "__version__",
)

_EXPORTS = _LazyExports(
    __name__,
    globals(),
    {
        "CameraCommandWarning": "minimax_async._camera",
        "CameraMove": "minimax_async._camera",
        "camera": "minimax_async._camera",
        "TEMPLATES": "minimax_async._catalog",
        "Mode": "minimax_async._catalog",
        "Template": "minimax_async._catalog",
        "AsyncMiniMax": "minimax_async._client",
        "ClientConfig": "minimax_async._config",
        "Progress": "minimax_async._download",
        "no_backoff": "minimax_async._retry",
        "AgentVideo": "minimax_async._tasks",
        "ResultWaiter": "minimax_async._engine",
        "V2Prompt": "minimax_async._tasks",
        "V2PromptTask": "minimax_async._tasks",
        "V2Video": "minimax_async._tasks",
        "V2VideoTask": "minimax_async._tasks",
        "Video": "minimax_async._tasks",
        "VideoAgentTask": "minimax_async._tasks",
        "VideoTask": "minimax_async._tasks",
        "CallbackEvent": "minimax_async.callbacks",
        "CallbackServer": "minimax_async.callbacks",
        "JournalEntry": "minimax_async.durable",
        "JSONLJournal": "minimax_async.durable",
        "MemoryJournal": "minimax_async.durable",
        "RedisBus": "minimax_async.durable",
        "RedisJournal": "minimax_async.durable",
        "RedisLimits": "minimax_async.durable",
        "ResumeReport": "minimax_async.durable",
        "SQLiteJournal": "minimax_async.durable",
        "TaskJournal": "minimax_async.durable",
        "TemplateWarning": "minimax_async.resources.video_agent",
    },
)


def __getattr__(name: str) -> Any:
    return _EXPORTS.load(name)


def __dir__() -> list[str]:
    return _EXPORTS.names()
