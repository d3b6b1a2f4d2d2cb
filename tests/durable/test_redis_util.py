"""Cleaning up one prefix's keys leaves every other prefix alone."""

from __future__ import annotations

from redis.asyncio import Redis

from minimax_async.durable._redis_util import delete_prefix
from tests.durable.conftest import REDIS_URL, needs_redis


@needs_redis
async def test_delete_prefix_removes_only_that_prefix(prefix: str) -> None:
    client = Redis.from_url(REDIS_URL)
    try:
        for index in range(1_200):  # more than one delete batch
            await client.set(f"{prefix}:a:{index}", 1)
        await client.set(f"{prefix}-other:kept", 1)
        assert await delete_prefix(client, f"{prefix}:a") == 1_200
        assert [key async for key in client.scan_iter(match=f"{prefix}:a:*")] == []
        assert await client.get(f"{prefix}-other:kept") == b"1"
    finally:
        await client.delete(f"{prefix}-other:kept")
        await client.aclose()
