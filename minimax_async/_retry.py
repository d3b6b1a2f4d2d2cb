"""The SDK's one backoff-and-jitter policy, its one transient-error rule, and the switch
that turns every SDK sleep off in tests.

Every wait the SDK schedules is a :class:`Backoff`: the transport's retries of a read,
the task tracker's polls (flat ``poll_interval`` without a receiver, ``quiet_period``
doubling up to ``max_poll_interval`` with one), the rate limiter's pause after a 1002.

Which failures are worth asking again is decided here too, so nothing drifts apart:

- :func:`is_transient`: a read (query, retrieve, download) may be sent again later on
  rate limits, MiniMax-side errors, 5xx/408/429 answers, timeouts and connection errors;
- a create is resent only when it provably was not accepted: the connection could not
  be made, or MiniMax answered 1002 (rate limit). See :mod:`minimax_async._transport`.

Who retries what, once: the transport retries a single read (``files/retrieve``, a
download, a direct ``query()``); a task's polls are retried by the task tracker alone
(:mod:`minimax_async._tracker`), which sends each poll without transport retries and
treats a transient failure as a poll without news.

Tests turn waiting off with::

    import minimax_async
    with minimax_async.no_backoff():
        ...  # backoff and limiter pauses return at once; the retry logic still runs
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import anyio

from minimax_async._exceptions import (
    AuthenticationError,
    ClosedError,
    HTTPStatusError,
    InvalidRequestError,
    MiniMaxError,
    RateLimitError,
    SensitiveContentError,
    ServerError,
    TransportError,
)

__all__ = (
    "Backoff",
    "RetryPolicy",
    "is_retryable_read",
    "is_transient",
    "no_backoff",
    "sleep",
    "sleeping_enabled",
    "testing",
)

_SLEEP: contextvars.ContextVar[bool] = contextvars.ContextVar("minimax_sleep", default=True)

#: Errors a later attempt cannot fix: a bad key, an unknown task, a refused input.
_PERMANENT: tuple[type[BaseException], ...] = (
    AuthenticationError,
    InvalidRequestError,
    SensitiveContentError,
    ClosedError,
)


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
class Backoff:
    """Attempt ``n`` (0-based) waits ``min(cap, first * factor**n)``, spread by jitter.

    ``jitter`` is a fraction: the wait is multiplied by a uniform factor in
    ``[1 - jitter, 1 + jitter]``, so many tasks or clients that started (or failed)
    together do not come back together. ``factor=1`` is a flat interval.
    """

    first: float
    factor: float = 2.0
    cap: float = float("inf")
    jitter: float = 0.0
    rng: random.Random | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.first < 0 or self.factor < 1 or self.cap < 0 or not 0 <= self.jitter < 1:
            raise ValueError(f"{self!r}: first, cap >= 0, factor >= 1, 0 <= jitter < 1")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` + 1."""
        base = min(self.cap, self.first * self.factor ** min(attempt, 60))
        draw = (self.rng or random).random()
        return base * (1.0 + self.jitter * (2.0 * draw - 1.0))

    def capped(self, ceiling: float) -> Backoff:
        """The same policy, never waiting longer than ``ceiling`` (before jitter)."""
        return Backoff(
            min(self.first, ceiling), self.factor, min(self.cap, ceiling), self.jitter, self.rng
        )


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and how far apart, the transport resends a failed request."""

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0

    @property
    def backoff(self) -> Backoff:
        # Centred on three quarters of the doubling ceiling: 0.25-0.75 s, 0.5-1.5 s, ...
        return Backoff(0.75 * self.base_delay, 2.0, 0.75 * self.max_delay, jitter=1 / 3)

    def delay(self, attempt: int, *, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, 60.0)
        return self.backoff.delay(attempt)


def is_transient(exc: BaseException) -> bool:
    """Whether asking again later may succeed (the one rule for reads and polls).

    Anything that is not an SDK or network error is a bug in the caller's query
    function, which asking again would only repeat.
    """
    if isinstance(exc, _PERMANENT):
        return False
    if isinstance(exc, HTTPStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 429)
    if isinstance(exc, (TransportError, RateLimitError, ServerError)):
        return True
    return isinstance(exc, (MiniMaxError, OSError, TimeoutError, asyncio.TimeoutError))


def is_retryable_read(exc: BaseException) -> bool:
    """Whether the transport resends a failed read at once (after a short backoff).

    Narrower than :func:`is_transient`: an unmapped MiniMax answer (quota, an unknown
    code) is raised to the caller of a single read rather than sent again.
    """
    if isinstance(exc, HTTPStatusError):
        return is_transient(exc)
    return isinstance(exc, (TransportError, RateLimitError, ServerError))
