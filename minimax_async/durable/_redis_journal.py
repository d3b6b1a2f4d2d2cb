"""``RedisJournal``: one journal for every worker on every machine.

Each entry is one JSON string; a transition is an optimistic transaction (WATCH the
entry and its handler claim, apply the same rules as every store, MULTI/EXEC, retry on
conflict), so concurrent workers never interleave a read-modify-write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from minimax_async._status import TaskStatus
from minimax_async.durable._journal import _Transitions
from minimax_async.durable._records import EntryState, JournalEntry
from minimax_async.durable._redis_util import RedisUnavailableError, connect, redact_url, text
from minimax_async.models import TaskSnapshot

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ("RedisJournal",)

T = TypeVar("T")


class _Overlay(_Transitions):
    """The rules applied to a prefetched entry; writes are collected, not performed."""

    def __init__(self, entry: JournalEntry | None, claim: tuple[str, float] | None) -> None:
        self.entry = entry
        self.claim = claim
        self.saved: JournalEntry | None = None
        self.claim_changed = False

    def _load(self, key: str) -> JournalEntry | None:
        return self.entry if self.entry is not None and self.entry.key == key else None

    def _key_for(self, task_id: str) -> str | None:
        return self.entry.key if self.entry is not None else None

    def _save(self, entry: JournalEntry, *, new: bool = False) -> None:
        self.entry = self.saved = entry

    def _get_claim(self, task_id: str) -> tuple[str, float] | None:
        return self.claim

    def _set_claim(self, task_id: str, claim: tuple[str, float] | None) -> None:
        self.claim, self.claim_changed = claim, True


class RedisJournal:
    """A journal in Redis under ``prefix`` (give each deployment its own).

    ``url`` is a redis-py URL (``redis://host:6379/0``, ``rediss://`` for TLS). Redis
    must persist (AOF ``appendfsync everysec`` or better) for the journal to survive a
    Redis restart; see the deployment notes.
    """

    def __init__(self, url: str = "redis://127.0.0.1:6379/0", *, prefix: str = "mmx") -> None:
        self.url = url
        self.prefix = prefix
        self._redis: Redis | None = None

    async def start(self) -> None:
        if self._redis is None:
            self._redis = await connect(self.url)

    async def aclose(self) -> None:
        redis, self._redis = self._redis, None
        if redis is not None:
            await redis.aclose()

    async def __aenter__(self) -> RedisJournal:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    async def _client(self) -> Redis:
        if self._redis is None:
            await self.start()
        assert self._redis is not None
        return self._redis

    async def _atomic(
        self, key: str | None, task_id: str | None, rule: Callable[[_Overlay], T]
    ) -> T:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import WatchError

        redis = await self._client()
        try:
            if key is None and task_id is not None:
                found = await redis.get(self._k("task", task_id))
                key = text(found) if found is not None else None
            if key is None:
                return rule(_Overlay(None, None))
            entry_key = self._k("entry", key)
            while True:
                async with redis.pipeline(transaction=True) as pipe:
                    try:
                        return await self._attempt(pipe, entry_key, rule)
                    except WatchError:
                        continue
        except RedisConnectionError as exc:
            raise RedisUnavailableError(f"Redis at {redact_url(self.url)}: {exc}") from exc

    async def _attempt(self, pipe: Any, entry_key: str, rule: Callable[[_Overlay], T]) -> T:
        await pipe.watch(entry_key)
        raw = await pipe.get(entry_key)
        entry = JournalEntry.from_json(raw) if raw is not None else None
        claim_key = self._k("claim", entry.task_id) if entry and entry.task_id else None
        claim = None
        if claim_key is not None:
            await pipe.watch(entry_key, claim_key)
            raw_claim = await pipe.get(claim_key)
            if raw_claim is not None:
                owner, _, until = text(raw_claim).rpartition("|")
                claim = (owner, float(until))
        overlay = _Overlay(entry, claim)
        result = rule(overlay)
        pipe.multi()
        if overlay.saved is not None:
            saved = overlay.saved
            pipe.set(entry_key, saved.to_json())
            if saved.task_id is not None:
                pipe.set(self._k("task", saved.task_id), saved.key)
        if overlay.claim_changed and claim_key is not None:
            if overlay.claim is None:
                pipe.delete(claim_key)
            else:
                pipe.set(claim_key, f"{overlay.claim[0]}|{overlay.claim[1]!r}")
        await pipe.execute()
        return result

    async def record_intent(self, entry: JournalEntry) -> None:
        redis = await self._client()
        # NX: a key is recorded once; the index orders entries by creation time.
        if not await redis.set(self._k("entry", entry.key), entry.to_json(), nx=True):
            raise ValueError(f"journal key {entry.key!r} is already recorded")
        await redis.zadd(self._k("index"), {entry.key: entry.created_at})

    async def record_task(self, key: str, task_id: str, *, trace_id: str | None = None) -> None:
        await self._atomic(key, None, lambda o: o._task(key, task_id, trace_id))

    async def record_refused(self, key: str, reason: str) -> None:
        await self._atomic(key, None, lambda o: o._mark(key, "refused", reason))

    async def record_abandoned(self, key: str) -> None:
        await self._atomic(
            key, None, lambda o: o._mark(key, "abandoned", "reconciled as never created")
        )

    async def record_status(self, task_id: str, status: TaskStatus) -> bool:
        return await self._atomic(None, task_id, lambda o: o._status(task_id, status))

    async def record_result(self, snapshot: TaskSnapshot) -> bool:
        return await self._atomic(None, snapshot.task_id, lambda o: o._result(snapshot))

    async def claim_handler(self, task_id: str, *, owner: str, lease: float) -> bool:
        return await self._atomic(None, task_id, lambda o: o._claim(task_id, owner, lease))

    async def release_handler(self, task_id: str, *, owner: str) -> None:
        await self._atomic(None, task_id, lambda o: o._release(task_id, owner))

    async def mark_handled(self, task_id: str, *, owner: str) -> None:
        await self._atomic(None, task_id, lambda o: o._handled(task_id, owner))

    async def get(self, key: str) -> JournalEntry | None:
        raw = await (await self._client()).get(self._k("entry", key))
        return JournalEntry.from_json(raw) if raw is not None else None

    async def get_task(self, task_id: str) -> JournalEntry | None:
        return await self._atomic(None, task_id, lambda o: o.entry)

    async def entries(self, states: Iterable[EntryState] | None = None) -> list[JournalEntry]:
        redis = await self._client()
        keys = [text(k) for k in await redis.zrange(self._k("index"), 0, -1)]
        wanted = set(states) if states is not None else None
        found: list[JournalEntry] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for raw in await redis.mget([self._k("entry", k) for k in chunk]):
                if raw is None:
                    continue
                entry = JournalEntry.from_json(raw)
                if wanted is None or entry.state in wanted:
                    found.append(entry)
        return found

    def __repr__(self) -> str:
        return f"<RedisJournal {redact_url(self.url)} prefix={self.prefix!r}>"
