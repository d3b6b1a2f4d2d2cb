"""Fixtures: journals of every kind, and Redis on loopback under a per-test prefix."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from minimax_async.durable import (
    JSONLJournal,
    MemoryJournal,
    RedisJournal,
    SQLiteJournal,
    TaskJournal,
)
from minimax_async.durable._redis_util import delete_prefix

REDIS_URL = os.environ.get("MINIMAX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_reachable(), reason="no Redis answering PING on 127.0.0.1:6379"
)


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A Redis key prefix of this test alone; its keys are deleted afterwards."""
    name = f"mmxtest:{uuid.uuid4().hex[:10]}"
    yield name
    if _redis_reachable():
        from redis.asyncio import Redis

        client = Redis.from_url(REDIS_URL)
        try:
            await delete_prefix(client, name)
        finally:
            await client.aclose()


def make_journal(kind: str, tmp_path: Path, prefix: str) -> TaskJournal:
    """A fresh journal of ``kind`` ("memory", "sqlite", "jsonl" or "redis")."""
    if kind == "memory":
        return MemoryJournal()
    if kind == "sqlite":
        return SQLiteJournal(tmp_path / "journal.db", synchronous="NORMAL")
    if kind == "jsonl":
        return JSONLJournal(tmp_path / "journal.jsonl")
    return RedisJournal(REDIS_URL, prefix=prefix)


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        "jsonl",
        pytest.param("redis", marks=[pytest.mark.redis, needs_redis]),
    ]
)
async def journal(
    request: pytest.FixtureRequest, tmp_path: Path, prefix: str
) -> AsyncIterator[TaskJournal]:
    store = make_journal(str(request.param), tmp_path, prefix)
    await store.start()
    try:
        yield store
    finally:
        await store.aclose()
