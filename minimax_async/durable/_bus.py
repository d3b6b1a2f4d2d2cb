"""``RedisBus``: a push received by any worker resolves the waiter in the right one.

Why pub/sub plus a hash, not streams: fan-out here is to *every* worker (any of them
may be the waiter), which pub/sub does in one hop with sub-millisecond latency and no
consumer bookkeeping or trimming. Pub/sub is at-most-once, so each push is also written
to a per-task hash by a Lua script, and a worker reads that hash when it starts waiting
and again after a reconnect. The receiver's polling stays the backstop for everything
else (a push MiniMax never sent, Redis down). A stream would add replay, which the hash
already gives per task.

What the hash holds is never a verdict, because pushes are unsigned and anyone with
the secret can forge one. A non-terminal push only moves the task's hint forward (a
late or duplicate one is neither kept nor republished: harmless either way). A terminal
push is kept *per status* and always published, so a forged ``success`` recorded first
cannot silence the genuine ``failed`` that follows on another worker: the waiter hears
both and its confirming query decides.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING, Any

import anyio

from minimax_async._exceptions import InvalidInputError
from minimax_async.callbacks._bus import BusSink
from minimax_async.durable._records import snapshot_from_json, snapshot_to_json
from minimax_async.durable._redis_util import RedisUnavailableError, connect, redact_url, text
from minimax_async.models import TaskSnapshot

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ("RedisBus",)

logger = logging.getLogger(__name__)

# KEYS: task hash, channel. ARGV: rank, snapshot JSON, message, ttl seconds, terminal
# status ("" for a non-terminal push).
_RECORD = """
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'terminal:' .. ARGV[5], ARGV[2])
else
  local current = tonumber(redis.call('HGET', KEYS[1], 'rank') or '-1')
  if tonumber(ARGV[1]) <= current then return 0 end
  redis.call('HSET', KEYS[1], 'rank', ARGV[1], 'snapshot', ARGV[2])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
redis.call('PUBLISH', KEYS[2], ARGV[3])
return 1
"""


class RedisBus:
    """Shares pushes between the receivers of every worker process via Redis.

    ``CallbackServer(bus=RedisBus(url=...))`` in each worker, all with the same
    ``prefix`` and the same callback ``secret``. ``worker_id`` names this worker in the
    exactly-once claims (default: host:pid:random). Task hashes and claims expire after
    ``ttl`` seconds. If Redis is down at start, :meth:`start` raises
    :class:`RedisUnavailableError`; if it goes away later, a warning is logged, every
    waiting task is polled at once and then every ``fallback_poll_interval`` seconds, and
    the bus reconnects in the background (every ``reconnect_delay`` seconds).
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "mmx",
        worker_id: str | None = None,
        ttl: float = 7 * 24 * 3600.0,
        reconnect_delay: float = 1.0,
        fallback_poll_interval: float = 10.0,
        drain_timeout: float = 5.0,
    ) -> None:
        for name, value in (
            ("ttl", ttl),
            ("reconnect_delay", reconnect_delay),
            ("fallback_poll_interval", fallback_poll_interval),
        ):
            if value <= 0:
                raise InvalidInputError(name, value, "must be > 0 seconds")
        self.fallback_poll_interval = fallback_poll_interval
        self.drain_timeout = drain_timeout
        self.url = url
        self.prefix = prefix
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.ttl = int(ttl)
        self.reconnect_delay = reconnect_delay
        self.channel = f"{prefix}:pushes"
        self.connected = False
        self._redis: Redis | None = None
        self._sink: BusSink | None = None
        self._listener: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # One publisher drains this in order, a pipeline per batch: pushes a worker
        # received are recorded in the order they arrived, with few round trips.
        self._outbox: list[TaskSnapshot] = []
        self._outbox_ready = asyncio.Event()
        self._outbox_idle = asyncio.Event()
        self._outbox_idle.set()
        self._publisher: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._closed = False

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self, sink: BusSink) -> None:
        """Connect and subscribe; :class:`RedisUnavailableError` names the URL if not."""
        self._sink = sink
        self._redis = await connect(self.url)
        self._record = self._redis.register_script(_RECORD)
        self._subscribed.clear()
        loop = asyncio.get_running_loop()
        self._listener = loop.create_task(self._listen())
        self._publisher = loop.create_task(self._publish_loop())
        # Subscribed before start returns: no push published after it is missed.
        waiter = asyncio.ensure_future(self._subscribed.wait())
        await asyncio.wait({waiter, self._listener}, return_when=asyncio.FIRST_COMPLETED)
        if not waiter.done():
            waiter.cancel()
            await self.aclose()
            raise RedisUnavailableError(f"cannot subscribe at {redact_url(self.url)}")
        self.connected = True
        logger.info("result bus connected to %s as %s", redact_url(self.url), self.worker_id)

    async def aclose(self) -> None:
        """Write what is still queued (up to ``drain_timeout`` s), stop, disconnect.

        A worker that is shutting down still receives pushes on connections kept alive
        to it; they are for other workers' tasks, so they must go out before it stops.
        """
        if not self._closed and self.connected:
            with anyio.move_on_after(self.drain_timeout):
                await self.drain()
        self._closed = True
        pending = [t for t in (self._listener, self._publisher, *self._tasks) if t is not None]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        redis, self._redis = self._redis, None
        if redis is not None:
            await redis.aclose()
        self.connected = False

    # -- outbound ----------------------------------------------------------------------

    def publish(self, snapshot: TaskSnapshot) -> None:
        """Record the push in the task's hash and fan it out (in the background)."""
        if self._closed or self._redis is None:
            return
        self._outbox.append(snapshot)
        self._outbox_idle.clear()
        self._outbox_ready.set()

    async def _publish_loop(self) -> None:
        while True:
            await self._outbox_ready.wait()
            batch, self._outbox = self._outbox, []
            if not batch:
                self._outbox_ready.clear()
                self._outbox_idle.set()
                continue
            await self._redis_call("publish", self._publish_batch(batch))

    async def _publish_batch(self, batch: list[TaskSnapshot]) -> None:
        assert self._redis is not None
        async with self._redis.pipeline(transaction=False) as pipe:
            for snapshot in batch:
                body = snapshot_to_json(snapshot)
                message = json.dumps({"origin": self.worker_id, "snapshot": body})
                terminal = snapshot.status.value if snapshot.status.is_terminal else ""
                args: list[str | int] = [snapshot.status.rank, body, message, self.ttl, terminal]
                keys = [self._k("task", snapshot.task_id), self.channel]
                await self._record(keys=keys, args=args, client=pipe)
            await pipe.execute()

    async def drain(self) -> None:
        """Wait until every push handed to :meth:`publish` and every claim is written."""
        while not self._outbox_idle.is_set() or self._tasks:
            if self._publisher is None or self._publisher.done():
                return  # closed: nothing will be written any more
            await self._outbox_idle.wait()
            await asyncio.gather(*tuple(self._tasks), return_exceptions=True)

    def watch(self, task_id: str) -> None:
        """Deliver the furthest push any worker recorded for the task (after registering)."""
        self._spawn(self._catch_up([task_id]))

    async def _catch_up(self, task_ids: list[str]) -> None:
        if self._redis is None:
            return
        for task_id in task_ids:
            fields = await self._redis_call(
                "catch up", self._redis.hgetall(self._k("task", task_id))
            )
            kept = {text(name): raw for name, raw in (fields or {}).items()}
            # The furthest non-terminal hint first, then every terminal one.
            hints = [kept[name] for name in sorted(kept) if name.startswith("terminal:")]
            if "snapshot" in kept:
                hints.insert(0, kept["snapshot"])
            for raw in hints:
                if self._sink is not None:
                    self._sink.deliver(snapshot_from_json(raw))

    def completed(self, task_id: str) -> None:
        """Claim the task's result for this worker (SET NX: the first worker wins)."""
        self._spawn(self._claim(task_id))

    async def _claim(self, task_id: str) -> None:
        if self._redis is None:
            return
        won = await self._redis_call(
            "claim",
            self._redis.set(self._k("claimed", task_id), self.worker_id, nx=True, ex=self.ttl),
        )
        if won is None and self.connected:
            logger.info("task %s result was already claimed by another worker", task_id)

    async def claimed_by(self, task_id: str) -> str | None:
        """The worker that claimed the task's result, if any."""
        if self._redis is None:
            raise RedisUnavailableError("the bus is not started")
        raw = await self._redis.get(self._k("claimed", task_id))
        return text(raw) if raw is not None else None

    # -- inbound -----------------------------------------------------------------------

    async def _listen(self) -> None:
        from redis.exceptions import RedisError

        while not self._closed:
            assert self._redis is not None
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._back_online()
                async for message in pubsub.listen():
                    self._on_message(message)
            except (RedisError, OSError) as exc:
                self._lost(f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(self.reconnect_delay)  # backoff before reconnecting
            finally:
                await asyncio.shield(pubsub.aclose())  # type: ignore[no-untyped-call]

    def _on_message(self, message: dict[str, Any]) -> None:
        try:
            data = json.loads(message["data"])
            if data.get("origin") == self.worker_id:
                return  # applied locally when it arrived
            snapshot = snapshot_from_json(data["snapshot"])
        except (ValueError, KeyError, TypeError):
            logger.warning("result bus: ignoring a malformed message on %s", self.channel)
            return
        if self._sink is not None:
            self._sink.deliver(snapshot)

    def _back_online(self) -> None:
        first = not self._subscribed.is_set()
        self._subscribed.set()
        if first:
            return
        self.connected = True
        logger.warning("result bus reconnected to %s; catching up", redact_url(self.url))
        if self._sink is not None:
            self._sink.restored()
            self._spawn(self._catch_up(self._sink.waiting()))

    def _lost(self, why: str) -> None:
        if not self.connected:
            return
        self.connected = False
        logger.warning(
            "RESULT BUS LOST: Redis at %s unreachable (%s); falling back to polling every "
            "waiting task until it is back",
            redact_url(self.url),
            why,
        )
        if self._sink is not None:
            self._sink.degraded(self.fallback_poll_interval)

    async def _redis_call(self, what: str, call: Any) -> Any:
        from redis.exceptions import RedisError

        try:
            return await call
        except (RedisError, OSError) as exc:
            # The push was applied locally; polling covers the other workers.
            self._lost(f"{what}: {type(exc).__name__}: {exc}")
            return None

    def _spawn(self, coro: Any) -> None:
        if self._closed or self._redis is None:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __repr__(self) -> str:
        return f"<RedisBus {redact_url(self.url)} prefix={self.prefix!r} {self.worker_id}>"
