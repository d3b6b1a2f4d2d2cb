"""``RedisLimits``: one create rate and one in-flight cap for every worker of an account.

MiniMax limits an account, not a process. Workers that give their clients the same
``RedisLimits`` (same Redis, same prefix) share:

* **the create rate**: a GCRA in one Lua script over one key per account (the
  theoretical arrival time, TAT, in Redis's own clock). Each create reserves the next
  send time, ``60 / rpm`` seconds after the previous one, whichever worker sent it,
  and the worker sleeps until then. At the sender, any window of ``W`` seconds holds at
  most ``1 + W * rpm / 60`` creates (the GCRA's tolerance is one interval: ``burst=1``);
  what MiniMax sees can differ from that only by the network's jitter.
* **the pause after a refusal**: a 1002/429 answer to any worker sets a shared
  "paused until" key; every worker's next reservation starts after it, and a worker
  already sleeping on a reservation checks it again before sending.
* **the in-flight cap**: a sorted set of leases (member: a random token per task,
  score: when its lease ends). A task takes a lease before its create and gives it
  back when its result is delivered or its handle is closed. A background task renews
  this process's leases every ``lease / 3`` seconds, so a worker that is SIGKILLed
  stops renewing and its slots come back ``lease`` seconds later at most.

The lease is 60 s by default. Shorter would free a dead worker's slots sooner, but a
live worker whose event loop stalls, or whose Redis fails over (Sentinel's usual
10-30 s), for longer than ``lease - lease / 3`` would lose leases it still uses and
the account would briefly run over its cap; 60 s rides out two missed renewals and a
failover. The cost is bounded: a killed worker's slots sit idle for at most a minute,
while a MiniMax video task runs for minutes, and a killed worker's tasks keep running
on MiniMax's side for that long anyway.

The account is named in Redis by a SHA-256 digest of the API key, never the key.

If Redis cannot be reached, each worker falls back to an in-process limiter with its
share of the limits, ``rpm / workers`` and ``max_in_flight // workers`` (at least 1),
logs a WARNING saying so, and tries Redis again every ``retry_after`` seconds; it
logs once more when the shared limits are back.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from minimax_async._limits import InFlightLimiter, RateLimiter, Slot
from minimax_async.durable._redis_util import RedisUnavailableError, connect, redact_url

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ("RedisLimits", "SharedInFlightLimiter", "SharedRateLimiter", "account_id")

logger = logging.getLogger(__name__)

# Redis's clock, in milliseconds, so every worker reserves on the same time line.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

#: KEYS: tat, paused-until. ARGV: interval ms, tolerance ms. Returns ms to wait.
_RESERVE = (
    _NOW
    + """
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local paused = tonumber(redis.call('GET', KEYS[2]) or 0)
local send_at = math.max(tat - tonumber(ARGV[2]), now, paused)
local next_tat = math.max(tat, send_at) + interval
redis.call('SET', KEYS[1], next_tat, 'PX', math.ceil(next_tat - now) + 1000)
return send_at - now
"""
)

#: KEYS: paused-until. ARGV: pause ms (0: only ask). Returns ms the pause still lasts.
_PAUSE = (
    _NOW
    + """
local ms = tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or 0)
if ms > 0 and now + ms > paused then
  paused = now + ms
  redis.call('SET', KEYS[1], paused, 'PX', ms)
end
return math.max(0, paused - now)
"""
)

#: KEYS: leases. ARGV: cap, lease ms, token. Returns -1 when taken, else ms until the
#: earliest lease ends (a hint for how long to wait).
_TAKE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return -1
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(0, tonumber(first[2]) - now)
"""
)

#: KEYS: leases. ARGV: lease ms, tokens... Extends the leases still held; returns how
#: many were.
_RENEW = (
    _NOW
    + """
local held = 0
for i = 2, #ARGV do
  held = held + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
if held > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return held
"""
)

#: How long a waiter sleeps between two looks at a full cap when no slot of this
#: process was released meanwhile (another worker's release is seen this late).
_POLL = 0.25


def account_id(api_key: str) -> str:
    """The account's name in Redis: a digest of the key, never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:32]


class RedisLimits:
    """Share the client's ``rpm`` and ``max_in_flight`` with every worker using this Redis.

    ::

        limits = RedisLimits("redis://10.0.0.5:6379/0", workers=4)
        client = AsyncMiniMax(rpm=20, max_in_flight=30, limits=limits)

    ``workers`` is how many processes share the account: used only when Redis is
    unreachable, to fall back to each worker's share of the limits. ``prefix`` names
    the deployment's keys; ``lease`` is how long an in-flight slot outlives a worker
    that stopped renewing it (see the module notes for why 60 s). The client closes
    the connection when it is closed.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        workers: int,
        prefix: str = "mmx",
        lease: float = 60.0,
        retry_after: float = 5.0,
    ) -> None:
        if isinstance(workers, bool) or workers < 1:
            raise ValueError(f"workers={workers!r}: must be an integer >= 1")
        if not lease > 0:
            raise ValueError(f"lease={lease!r}: must be > 0 seconds")
        if retry_after < 0:
            raise ValueError(f"retry_after={retry_after!r}: must not be negative")
        self.url = url
        self.workers = workers
        self.prefix = prefix
        self.lease = float(lease)
        self.retry_after = float(retry_after)
        self._redis: Redis | None = None
        self._scripts: dict[str, AsyncScript] = {}
        self._down_until = 0.0
        self._down = False
        self._pools: list[SharedInFlightLimiter] = []

    def _key(self, api_key: str, name: str) -> str:
        return f"{self.prefix}:limits:{account_id(api_key)}:{name}"

    def rate_limiter(self, api_key: str, rpm: float) -> SharedRateLimiter:
        """The shared create rate of ``api_key``'s account."""
        return SharedRateLimiter(self, api_key, rpm)

    def in_flight_limiter(self, api_key: str, limit: int | None) -> InFlightLimiter:
        """The shared in-flight cap (no cap: nothing to share, an uncapped local one)."""
        if limit is None:
            return InFlightLimiter(None)
        pool = SharedInFlightLimiter(self, api_key, limit)
        self._pools.append(pool)
        return pool

    async def aclose(self) -> None:
        """Give this process's leases back and close the Redis connection."""
        pools, self._pools = self._pools, []
        for pool in pools:
            await pool.aclose()
        redis, self._redis = self._redis, None
        self._scripts.clear()
        if redis is not None:
            await redis.aclose()

    async def run(self, name: str, keys: list[str], args: list[Any]) -> Any:
        """Run script ``name``; raise :class:`RedisUnavailableError` while Redis is away."""
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if self._down and time.monotonic() < self._down_until:
            raise RedisUnavailableError(f"Redis at {redact_url(self.url)} is unreachable")
        try:
            if self._redis is None:
                self._redis = await connect(self.url)
                self._scripts = {
                    key: self._redis.register_script(text) for key, text in _SCRIPTS.items()
                }
            result = await self._scripts[name](keys=keys, args=args)
        except (RedisConnectionError, RedisTimeoutError, RedisUnavailableError, OSError) as exc:
            self._went_away(exc)
            raise RedisUnavailableError(f"Redis at {redact_url(self.url)}: {exc}") from exc
        if self._down:
            self._down = False
            logger.warning("Redis at %s is back: limits are shared again", redact_url(self.url))
        return result

    async def delete(self, key: str, *members: str) -> None:
        """ZREM, best effort: a lease not given back ends by itself."""
        from redis.exceptions import RedisError

        if self._redis is None or self._down or not members:
            return
        try:
            await self._redis.zrem(key, *members)
        except (RedisError, OSError) as exc:
            logger.debug("could not give a lease back (%s); it expires by itself", exc)

    def _went_away(self, exc: BaseException) -> None:
        self._down_until = time.monotonic() + self.retry_after
        if not self._down:
            self._down = True
            logger.warning(
                "Redis at %s is unreachable (%s): each worker now limits itself to its "
                "share, 1/%d of the account's rate and in-flight cap, until Redis is back",
                redact_url(self.url),
                exc,
                self.workers,
            )

    def __repr__(self) -> str:
        return f"<RedisLimits {redact_url(self.url)} prefix={self.prefix!r} workers={self.workers}>"


_SCRIPTS = {"reserve": _RESERVE, "pause": _PAUSE, "take": _TAKE, "renew": _RENEW}


class SharedRateLimiter(RateLimiter):
    """The account's create rate across workers; the in-process limiter it inherits
    runs at ``rpm / workers`` and is used only while Redis is away."""

    def __init__(self, limits: RedisLimits, api_key: str, rpm: float) -> None:
        super().__init__(rpm / limits.workers)
        self.shared_rpm = rpm
        self._limits = limits
        self._tat_key = limits._key(api_key, "tat")
        self._pause_key = limits._key(api_key, "paused")
        self._pending: set[asyncio.Task[Any]] = set()

    async def reserve_shared(self) -> float:
        """Claim the account's next send time; seconds until it (RedisUnavailableError)."""
        interval_ms = 60_000.0 / self.shared_rpm
        wait_ms = await self._limits.run(
            "reserve", [self._tat_key, self._pause_key], [interval_ms, 0]
        )
        return float(wait_ms) / 1000.0

    async def acquire(self) -> None:
        """Wait until this worker may send one create, by the account's shared rate."""
        try:
            delay = await self.reserve_shared()
        except RedisUnavailableError:
            await super().acquire()
            return
        if delay > 0:
            logger.debug("shared rate limiter: waiting %.2fs before the next create", delay)
            await self._sleep(delay)
        # Another worker may have hit a 1002 while this one slept.
        try:
            late = float(await self._limits.run("pause", [self._pause_key], [0])) / 1000.0
        except RedisUnavailableError:
            late = 0.0
        # This worker's own pause holds even before its write reaches Redis.
        late = max(late, self._paused_until - self._clock())
        if late > 0:
            await self._sleep(late)

    def pause(self, seconds: float) -> None:
        """A 1002/429: hold this worker now, and every worker through Redis."""
        super().pause(seconds)
        task = asyncio.ensure_future(self._pause_shared(seconds))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _pause_shared(self, seconds: float) -> None:
        # Without Redis this worker is paused all the same; the others hear their own 1002.
        with contextlib.suppress(RedisUnavailableError):
            await self._limits.run("pause", [self._pause_key], [max(1, round(seconds * 1000))])


class SharedInFlightLimiter(InFlightLimiter):
    """The account's in-flight cap as leases in Redis; the in-process cap it inherits
    is ``limit // workers`` (at least 1) and is used only while Redis is away."""

    def __init__(self, limits: RedisLimits, api_key: str, limit: int) -> None:
        super().__init__(max(1, limit // limits.workers))
        self.shared_limit = limit
        self._limits = limits
        self._key = limits._key(api_key, "leases")
        self._held: set[str] = set()
        self._freed = asyncio.Event()
        self._renewer: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()

    @property
    def held(self) -> int:
        """Leases this process holds in Redis."""
        return len(self._held)

    async def acquire(self) -> Slot:
        """Wait for a lease (or, while Redis is away, a slot of this worker's share)."""
        lease_ms = round(self._limits.lease * 1000)
        while True:
            token = secrets.token_hex(8)
            try:
                hint = await self._take(token, lease_ms)
            except RedisUnavailableError:
                return await super().acquire()
            if hint < 0:
                self._held.add(token)
                self._start_renewing()
                return Slot(functools.partial(self._give_back, token))
            logger.debug("shared in-flight cap %d reached; waiting", self.shared_limit)
            self._freed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._freed.wait(), min(_POLL, hint / 1000.0 + 0.01))

    async def _take(self, token: str, lease_ms: int) -> float:
        call = asyncio.ensure_future(
            self._limits.run("take", [self._key], [self.shared_limit, lease_ms, token])
        )
        try:
            return float(await asyncio.shield(call))
        except asyncio.CancelledError:
            # Cancelled mid-call: the lease may have been taken; give it back.
            def undo(done: asyncio.Future[Any]) -> None:
                if not done.cancelled() and done.exception() is None and done.result() < 0:
                    self._forget(token)

            call.add_done_callback(undo)
            raise

    def _give_back(self, token: str) -> None:
        self._held.discard(token)
        self._freed.set()
        self._forget(token)

    def _forget(self, token: str) -> None:
        task = asyncio.ensure_future(self._limits.delete(self._key, token))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def aclose(self) -> None:
        """Stop renewing and give back every lease this process holds."""
        renewer, self._renewer = self._renewer, None
        if renewer is not None:
            renewer.cancel()
            await asyncio.gather(renewer, return_exceptions=True)
        held, self._held = sorted(self._held), set()
        await asyncio.gather(*self._pending, return_exceptions=True)
        await self._limits.delete(self._key, *held)

    def _start_renewing(self) -> None:
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.ensure_future(self._renew())

    async def _renew(self) -> None:
        lease_ms = round(self._limits.lease * 1000)
        while self._held:
            await asyncio.sleep(self._limits.lease / 3)
            tokens = sorted(self._held)
            if not tokens:
                return
            try:
                kept = int(await self._limits.run("renew", [self._key], [lease_ms, *tokens]))
            except RedisUnavailableError:
                continue  # said loudly already; the leases may lapse meanwhile
            lost = len([t for t in tokens if t in self._held]) - kept
            if lost > 0:
                logger.warning(
                    "%d in-flight lease(s) lapsed before renewal (event loop stalled "
                    "longer than %.0fs?): the account may briefly run over its cap",
                    lost,
                    self._limits.lease,
                )
