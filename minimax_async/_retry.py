"""Backoff for retried reads, and the one switch that turns every SDK sleep off in tests.

Which failures are retried is decided here too, so reads and creates cannot drift apart:

- reads (query, retrieve, download) retry on rate limits, MiniMax-side errors,
  non-2xx 5xx/429 answers, timeouts and connection errors;
- a create is resent only when it provably was not accepted: the connection could not
  be made, or MiniMax answered 1002 (rate limit). See :mod:`minimax_async._transport`.

Tests turn waiting off with::

    import minimax_async
    with minimax_async.no_backoff():
        ...  # backoff and limiter pauses return at once; the retry logic still runs
"""

from __future__ import annotations

import contextlib
import contextvars
import random
from collections.abc import Iterator
from dataclasses import dataclass

import anyio

from minimax_async._exceptions import (
    HTTPStatusError,
    RateLimitError,
    ServerError,
    TransportError,
)

__all__ = (
    "RetryPolicy",
    "is_retryable_read",
    "no_backoff",
    "sleep",
    "sleeping_enabled",
    "testing",
)

_SLEEP: contextvars.ContextVar[bool] = contextvars.ContextVar("minimax_sleep", default=True)


@contextlib.contextmanager
def testing(*, sleep: bool) -> Iterator[None]:
    """Within this block (and tasks started in it), SDK backoff sleeps are skipped.

    Only waits the SDK chose (retry backoff, rate-limiter pauses, Retry-After) are
    skipped; task polling keeps its ``poll_interval`` so a poll loop cannot spin.
    """
    token = _SLEEP.set(sleep)
    try:
        yield
    finally:
        _SLEEP.reset(token)


def no_backoff() -> contextlib.AbstractContextManager[None]:
    """For tests: within this block, the SDK's retry and rate-limit waits return at once.

    The retry decisions still run (a create is still never resent after a timeout), and
    task polling keeps its ``poll_interval``. Tasks started inside the block inherit it.
    """
    return testing(sleep=False)


def sleeping_enabled() -> bool:
    """False inside :func:`testing` with ``sleep=False``."""
    return _SLEEP.get()


async def sleep(seconds: float) -> None:
    """Sleep for a backoff, unless :func:`testing` switched sleeping off."""
    if seconds > 0 and _SLEEP.get():
        await anyio.sleep(seconds)
    else:
        await anyio.lowlevel.checkpoint()


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt ``n`` waits up to ``base * 2**n``."""

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, *, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, 60.0)
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        # Jitter keeps many clients that failed together from retrying together.
        return random.uniform(ceiling / 2, ceiling)


def is_retryable_read(exc: BaseException) -> bool:
    """Whether a failed read (GET) may simply be sent again."""
    if isinstance(exc, (TransportError, RateLimitError, ServerError)):
        return True
    if isinstance(exc, HTTPStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 429)
    return False
