"""minimax-async: an asyncio SDK for MiniMax video generation.

The public surface is this module's ``__all__``; everything in a ``_private`` module
is an implementation detail. The emulator lives in :mod:`minimax_async.emulator`.
"""

from minimax_async._camera import CameraCommandWarning, CameraMove, camera
from minimax_async._catalog import TEMPLATES, Mode, Template
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
    MiniMaxError,
    QuotaError,
    RateLimitError,
    SensitiveContentError,
    ServerError,
    TaskFailedError,
    TaskTimeoutError,
    TransportError,
)
from minimax_async._status import TaskStatus
from minimax_async._version import __version__

# --- client exports (issue 3) ---
# isort: split
from minimax_async import _retry as retries
from minimax_async._client import AsyncMiniMax
from minimax_async._tasks import AgentVideo, ResultWaiter, Video, VideoAgentTask, VideoTask
from minimax_async.resources.video_agent import TemplateWarning

# isort: split
# --- callback exports (issue 4) ---
from minimax_async.callbacks import (
    CallbackEvent,
    CallbackServer,
    InMemoryRegistry,
    SelfCheckError,
    TaskRegistry,
)

# isort: split
# --- durable exports (issue 5) ---
from minimax_async.durable import (
    JournalEntry,
    MemoryJournal,
    RedisBus,
    RedisJournal,
    RedisUnavailableError,
    ResumeReport,
    SQLiteJournal,
    TaskJournal,
)

__all__ = (  # noqa: RUF022 - grouped: shared names, then one block per issue marker
    "TEMPLATES",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AmbiguousCreateError",
    "AuthenticationError",
    "CameraCommandWarning",
    "CameraMove",
    "ClosedError",
    "DownloadError",
    "HTTPStatusError",
    "InvalidInputError",
    "InvalidRequestError",
    "MiniMaxError",
    "Mode",
    "QuotaError",
    "RateLimitError",
    "SensitiveContentError",
    "ServerError",
    "TaskFailedError",
    "TaskStatus",
    "TaskTimeoutError",
    "Template",
    "TransportError",
    "__version__",
    "camera",
    # --- client names (issue 3) ---
    "AgentVideo",
    "AsyncMiniMax",
    "ResultWaiter",
    "TemplateWarning",
    "Video",
    "VideoAgentTask",
    "VideoTask",
    "retries",
    # --- callback names (issue 4) ---
    "CallbackEvent",
    "CallbackServer",
    "InMemoryRegistry",
    "SelfCheckError",
    "TaskRegistry",
    # --- durable names (issue 5) ---
    "JournalEntry",
    "MemoryJournal",
    "RedisBus",
    "RedisJournal",
    "RedisUnavailableError",
    "ResumeReport",
    "SQLiteJournal",
    "TaskJournal",
)
