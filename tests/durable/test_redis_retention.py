"""RedisJournal at scale: 100,000 entries, pending ones listed without reading the rest,
and retention pruning them in batches. The entries are written with one pipeline in
the journal's own layout (the API would take a round trip each)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from minimax_async.durable import RedisJournal
from minimax_async.durable._records import new_entry
from tests.durable.conftest import REDIS_URL, needs_redis

pytestmark = [pytest.mark.redis, needs_redis]

TOTAL = 100_000
PENDING = 10


class CountingReads:
    """Wraps the journal's Redis client and counts the entry keys it reads."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.keys_read = 0

    async def mget(self, keys: list[str]) -> Any:
        self.keys_read += len(keys)
        return await self._inner.mget(keys)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


#: Writes the entries server-side (a client round trip, or even client-side command
#: packing, per entry would dominate the test), 10,000 per call so Redis, shared with
#: other tests, is never blocked for long. ARGV: prefix, template JSON, first, count,
#: pending-every, start time.
_SEED = """
local base = cjson.decode(ARGV[2])
local first, count = tonumber(ARGV[3]), tonumber(ARGV[4])
local every, start = tonumber(ARGV[5]), tonumber(ARGV[6])
for n = first, first + count - 1 do
  local key = string.format('k%06d', n)
  local created = start + n * 0.001
  base['key'] = key
  base['task_id'] = 't' .. n
  base['created_at'] = created
  if n % every == 0 then
    base['state'] = 'submitted'
    base['status'] = 'Queueing'
    base['closed_at'] = cjson.null
    redis.call('ZADD', ARGV[1] .. ':open', created, key)
  else
    base['state'] = 'finished'
    base['status'] = 'Success'
    base['closed_at'] = created + 60
    redis.call('ZADD', ARGV[1] .. ':closed', created + 60, key)
  end
  redis.call('SET', ARGV[1] .. ':entry:' .. key, cjson.encode(base))
  redis.call('SET', ARGV[1] .. ':task:t' .. n, key)
  redis.call('ZADD', ARGV[1] .. ':index', created, key)
end
return count
"""


async def _seed(journal: RedisJournal) -> None:
    """TOTAL entries: PENDING submitted ones spread among finished ones a day old."""
    redis = journal._redis
    assert redis is not None
    template = new_entry("k", "video", {"prompt": "p"}).to_json()
    start = time.time() - 86_400
    for first in range(0, TOTAL, 10_000):
        args: list[str | int | float] = [journal.prefix, template, first, 10_000]
        args += [TOTAL // PENDING, start]
        assert await redis.eval(_SEED, 0, *args) == 10_000


async def test_pending_entries_among_100k_without_reading_the_rest(prefix: str) -> None:
    async with RedisJournal(REDIS_URL, prefix=prefix) as journal:
        await _seed(journal)
        counting = CountingReads(journal._redis)
        journal._redis = counting  # type: ignore[assignment]
        pending = await journal.entries(["intent", "submitted"])
        assert [e.key for e in pending] == [f"k{n:06d}" for n in range(0, TOTAL, TOTAL // PENDING)]
        assert counting.keys_read == PENDING
        journal._redis = counting._inner

        assert await journal.prune(older_than=7 * 86_400) == 0  # a day old: kept
        assert await journal.prune(older_than=3600) == TOTAL - PENDING
        redis = journal._redis
        assert redis is not None
        assert await redis.zcard(journal._k("index")) == PENDING
        assert await redis.zcard(journal._k("closed")) == 0
        assert await redis.exists(journal._k("entry", "k000001"), journal._k("task", "t1")) == 0
        assert len(await journal.entries()) == PENDING


async def test_a_journal_from_before_the_pending_set_is_indexed_at_start(prefix: str) -> None:
    async with RedisJournal(REDIS_URL, prefix=prefix) as journal:
        await journal.record_intent(new_entry("a", "video", {"prompt": "a"}))
        await journal.record_intent(new_entry("b", "video", {"prompt": "b"}))
        await journal.record_task("b", "tb")
        await journal.record_abandoned("a")
        redis = journal._redis
        assert redis is not None
        # What an older version left behind: entries and the index, nothing else.
        await redis.delete(journal._k("open"), journal._k("closed"), journal._k("layout"))
    async with RedisJournal(REDIS_URL, prefix=prefix) as again:
        assert [e.key for e in await again.entries(["submitted"])] == ["b"]
        assert await again.prune(older_than=0) == 1
        assert [e.key for e in await again.entries()] == ["b"]
