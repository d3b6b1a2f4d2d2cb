"""Survive restarts and scale out: a durable task journal and a Redis result bus.

::

    journal = SQLiteJournal("tasks.db")  # or RedisJournal, JSONLJournal, MemoryJournal
    async with AsyncMiniMax(journal=journal) as client:
        client.on_result("video", save_video)        # runs once per finished task
        report = await client.resume()               # after a restart
        for task in report.tasks: ...                # awaitable as usual
        for entry in report.ambiguous: ...           # never resent: reconcile these

    callbacks = CallbackServer(secret=SECRET, reuse_port=True, bus=RedisBus(url))
    client = AsyncMiniMax(rpm=20, limits=RedisLimits(url, workers=4))  # one account's

See :mod:`minimax_async.durable._durability` for the guarantees, stated precisely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minimax_async._lazy import LazyExports as _LazyExports

if TYPE_CHECKING:
    from minimax_async.durable._bus import RedisBus
    from minimax_async.durable._durability import Durability, ResultHandler, ResumeReport
    from minimax_async.durable._journal import MemoryJournal, TaskJournal
    from minimax_async.durable._jsonl import JSONLJournal
    from minimax_async.durable._records import (
        EntryState,
        JournalEntry,
        fingerprint,
        redact_body,
    )
    from minimax_async.durable._redis_journal import RedisJournal
    from minimax_async.durable._redis_limits import RedisLimits
    from minimax_async.durable._redis_util import RedisUnavailableError
    from minimax_async.durable._sqlite import SQLiteJournal

__all__ = (
    "Durability",
    "EntryState",
    "JSONLJournal",
    "JournalEntry",
    "MemoryJournal",
    "RedisBus",
    "RedisJournal",
    "RedisLimits",
    "RedisUnavailableError",
    "ResultHandler",
    "ResumeReport",
    "SQLiteJournal",
    "TaskJournal",
    "fingerprint",
    "redact_body",
)

_EXPORTS = _LazyExports(
    __name__,
    globals(),
    {
        "RedisBus": "minimax_async.durable._bus",
        "Durability": "minimax_async.durable._durability",
        "ResultHandler": "minimax_async.durable._durability",
        "ResumeReport": "minimax_async.durable._durability",
        "MemoryJournal": "minimax_async.durable._journal",
        "TaskJournal": "minimax_async.durable._journal",
        "JSONLJournal": "minimax_async.durable._jsonl",
        "EntryState": "minimax_async.durable._records",
        "JournalEntry": "minimax_async.durable._records",
        "fingerprint": "minimax_async.durable._records",
        "redact_body": "minimax_async.durable._records",
        "RedisJournal": "minimax_async.durable._redis_journal",
        "RedisLimits": "minimax_async.durable._redis_limits",
        "RedisUnavailableError": "minimax_async.durable._redis_util",
        "SQLiteJournal": "minimax_async.durable._sqlite",
    },
)


def __getattr__(name: str) -> Any:
    return _EXPORTS.load(name)


def __dir__() -> list[str]:
    return _EXPORTS.names()
