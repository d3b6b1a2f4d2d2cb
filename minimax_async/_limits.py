"""Client-side admission: an RPM limiter for creates and a cap on tasks in flight.

The RPM limiter is a token bucket in its GCRA form: each create reserves the next free
send time, spaced ``60 / rpm`` seconds apart (with ``burst`` allowed back to back). It
spreads submissions instead of letting a batch hit MiniMax at once, which also keeps
clear of MiniMax's "rate growth" limit (2045). When MiniMax answers 1002 anyway (another
process shares the key), :meth:`RateLimiter.pause` pushes every later send back.

The in-flight cap counts a task from before its create until its result is delivered
or its handle is closed (``task.close()``); a slot is released exactly once.

Both live in one process. :class:`SharedLimits` (``RedisLimits`` in
:mod:`minimax_async.durable`) makes limiters of the same two kinds whose state is the
account's, shared by every worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from minimax_async import _retry

__all__ = ("InFlightLimiter", "RateLimiter", "SharedLimits", "Slot")

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """Spaces calls ``60 / rpm`` seconds apart; ``burst`` calls may go back to back.

    ``clock`` and ``sleep`` exist so tests can run the limiter on virtual time.
    """

    def __init__(
        self,
        rpm: float,
        *,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = _retry.sleep,
    ) -> None:
        if not rpm > 0:
            raise ValueError(f"rpm={rpm!r}: must be > 0")
        if burst < 1:
            raise ValueError(f"burst={burst!r}: must be >= 1")
        self.rpm = rpm
        self.interval = 60.0 / rpm
        self._tolerance = (burst - 1) * self.interval
        self._clock = clock
        self._sleep = sleep
        self._tat = clock()  # theoretical arrival time of the next conforming call
        self._paused_until = 0.0

    def reserve(self) -> float:
        """Claim the next send slot; returns the (clock) time at which it may be used."""
        now = self._clock()
        tat = max(self._tat, now)
        send_at = max(tat - self._tolerance, now, self._paused_until)
        self._tat = max(tat, send_at) + self.interval
        return send_at

    async def acquire(self) -> None:
        """Wait until this caller may send one create."""
        send_at = self.reserve()
        delay = send_at - self._clock()
        if delay > 0:
            logger.debug("rate limiter: waiting %.2fs before the next create", delay)
        await self._sleep(max(0.0, delay))
        # A 1002 may have paused the bucket while this caller slept.
        late = self._paused_until - self._clock()
        if late > 0:
            await self._sleep(late)

    def pause(self, seconds: float) -> None:
        """MiniMax said 1002: hold every further send for ``seconds``."""
        until = self._clock() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self._tat = max(self._tat, until)
            logger.info("rate limiter paused for %.1fs after a rate-limit answer", seconds)


class Slot:
    """One admitted task. :meth:`release` is idempotent.

    Released by the task engine when the task's result is delivered or its handle is
    closed, always on the event loop that took it: no finalizer, so no thread hop.
    ``give_back`` is what the limiter that made the slot does on release (count one
    down, or end a lease in Redis); it runs once.
    """

    __slots__ = ("_give_back", "_released")

    def __init__(self, give_back: Callable[[], None]) -> None:
        self._give_back = give_back
        self._released = False

    @property
    def released(self) -> bool:
        return self._released

    def release(self) -> None:
        """Give the slot back (no-op the second time)."""
        if not self._released:
            self._released = True
            self._give_back()


class InFlightLimiter:
    """At most ``limit`` tasks between create and delivered result (None = no cap)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._count = 0
        self._waiters: list[asyncio.Future[None]] = []

    @property
    def in_flight(self) -> int:
        """Tasks currently holding a slot."""
        return self._count

    async def acquire(self) -> Slot:
        """Wait for a free slot and take it."""
        loop = asyncio.get_running_loop()
        if self.limit is None:
            self._count += 1
            return Slot(self._release)
        while self._count >= self.limit:
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            logger.debug("in-flight cap %d reached; waiting for a task to finish", self.limit)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self._count += 1
        return Slot(self._release)

    def _release(self) -> None:
        self._count -= 1
        # Wake every waiter: each re-checks the count, so a waiter cancelled after its
        # wake-up cannot swallow the free slot.
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)


class SharedLimits(Protocol):
    """Makes an account's limiters shared by several processes (``RedisLimits``)."""

    def rate_limiter(self, api_key: str, rpm: float) -> RateLimiter:
        """The account's create rate."""

    def in_flight_limiter(self, api_key: str, limit: int | None) -> InFlightLimiter:
        """The account's in-flight cap."""

    async def aclose(self) -> None:
        """Give back what this process holds and close the connection."""
