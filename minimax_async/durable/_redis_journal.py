"""``RedisJournal``: one journal for every worker on every machine.

Each entry is one JSON string; a transition is an optimistic transaction (WATCH the
entry and its handler claim, apply the same rules as every store, MULTI/EXEC, retry on
conflict), so concurrent workers never interleave a read-modify-write.

Three sorted sets index the entries: ``index`` (all, by creation time), ``open``
(intents and submitted tasks, by creation time) and ``closed`` (the rest, by closing
time). Listing what is pending reads ``open`` only, however many finished entries the
journal holds; retention deletes from the low end of ``closed``, a batch per Lua call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from minimax_async._status import TaskStatus
from minimax_async.durable._journal import _Transitions
from minimax_async.durable._records import DEFAULT_RETENTION, EntryState, JournalEntry
from minimax_async.durable._redis_util import RedisUnavailableError, connect, redact_url, text
from minimax_async.models import TaskSnapshot

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ("RedisJournal",)

T = TypeVar("T")

_OPEN_STATES = frozenset({"intent", "submitted"})
#: Entries read per MGET, and pruned per Lua call (each call blocks Redis briefly).
_BATCH = 500
_PRUNE_BATCH = 1000
#: Bumped when the key layout changes; ``start()`` builds what an older layout lacks.
_LAYOUT = "2"

#: KEYS: closed, index, open. ARGV: cutoff, batch size, prefix. Deletes up to a batch
#: of entries closed before the cutoff, with their task mapping and handler claim.
_PRUNE = """
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0,
  tonumber(ARGV[2]))
for _, key in ipairs(keys) do
  local entry_key = ARGV[3] .. ':entry:' .. key
  local raw = redis.call('GET', entry_key)
  local keep = false
  if raw then
    local ok, data = pcall(cjson.decode, raw)
    if ok and (data['state'] == 'intent' or data['state'] == 'submitted') then
      keep = true
    elseif ok and type(data['task_id']) == 'string' then
      redis.call('DEL', ARGV[3] .. ':task:' .. data['task_id'],
        ARGV[3] .. ':claim:' .. data['task_id'])
    end
  end
  redis.call('ZREM', KEYS[1], key)
  if not keep then
    redis.call('DEL', entry_key)
    redis.call('ZREM', KEYS[2], key)
    redis.call('ZREM', KEYS[3], key)
  end
end
return #keys
"""


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
    Redis restart; see the deployment notes. ``retention``: seconds a closed entry is
    kept (default 7 days; None keeps all).
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "mmx",
        retention: float | None = DEFAULT_RETENTION,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.retention = retention
        self._rules = _Transitions()
        self._rules.retention = retention
        self._redis: Redis | None = None

    async def start(self) -> None:
        if self._redis is None:
            self._redis = await connect(self.url)
            if not await self._redis.exists(self._k("layout")):
                await self._build_state_sets()
            if self._rules._prune_due():
                await self.prune()

    async def _build_state_sets(self) -> None:
        """A journal written before the open/closed sets existed: build them once."""
        redis = await self._client()
        keys = [text(k) for k in await redis.zrange(self._k("index"), 0, -1)]
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            raws = await redis.mget([self._k("entry", k) for k in chunk])
            async with redis.pipeline(transaction=False) as pipe:
                for raw in raws:
                    if raw is not None:
                        self._file_state(pipe, None, JournalEntry.from_json(raw))
                await pipe.execute()
        await redis.set(self._k("layout"), _LAYOUT)

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
            self._file_state(pipe, entry, saved)
        if overlay.claim_changed and claim_key is not None:
            if overlay.claim is None:
                pipe.delete(claim_key)
            else:
                pipe.set(claim_key, f"{overlay.claim[0]}|{overlay.claim[1]!r}")
        await pipe.execute()
        return result

    def _file_state(self, pipe: Any, before: JournalEntry | None, after: JournalEntry) -> None:
        """Queue the index updates for ``after`` (nothing when its state is unchanged)."""
        if before is not None and before.state == after.state:
            return
        key = after.key
        if before is None:
            pipe.zadd(self._k("index"), {key: after.created_at})
        if after.state in _OPEN_STATES:
            pipe.zadd(self._k("open"), {key: after.created_at})
            pipe.zrem(self._k("closed"), key)
        else:
            pipe.zrem(self._k("open"), key)
            closed_at = after.closed_at if after.closed_at is not None else after.created_at
            pipe.zadd(self._k("closed"), {key: closed_at})

    async def record_intent(self, entry: JournalEntry) -> None:
        redis = await self._client()
        # NX: a key is recorded once; the index orders entries by creation time.
        if not await redis.set(self._k("entry", entry.key), entry.to_json(), nx=True):
            raise ValueError(f"journal key {entry.key!r} is already recorded")
        async with redis.pipeline(transaction=True) as pipe:
            self._file_state(pipe, None, entry)
            await pipe.execute()

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
        recorded = await self._atomic(None, snapshot.task_id, lambda o: o._result(snapshot))
        if recorded and self._rules._prune_due():
            await self.prune()
        return recorded

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
        wanted = set(states) if states is not None else None
        # Pending entries have their own set: no need to read every finished one.
        pending_only = wanted is not None and wanted <= _OPEN_STATES
        which = self._k("open") if pending_only else self._k("index")
        keys = [text(k) for k in await redis.zrange(which, 0, -1)]
        found: list[JournalEntry] = []
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            for raw in await redis.mget([self._k("entry", k) for k in chunk]):
                if raw is None:
                    continue
                entry = JournalEntry.from_json(raw)
                if wanted is None or entry.state in wanted:
                    found.append(entry)
        return found

    async def prune(self, older_than: float | None = None) -> int:
        cutoff = self._rules._cutoff(older_than)
        if cutoff is None:
            return 0
        redis = await self._client()
        script = redis.register_script(_PRUNE)
        keys = [self._k("closed"), self._k("index"), self._k("open")]
        total = 0
        while True:
            gone = int(await script(keys=keys, args=[repr(cutoff), _PRUNE_BATCH, self.prefix]))
            total += gone
            if gone < _PRUNE_BATCH:
                return total

    def __repr__(self) -> str:
        return f"<RedisJournal {redact_url(self.url)} prefix={self.prefix!r}>"
