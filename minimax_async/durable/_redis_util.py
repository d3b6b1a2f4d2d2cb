"""Connecting to Redis with errors that name the (password-free) URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from minimax_async._exceptions import RedisUnavailableError

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ("RedisUnavailableError", "connect", "delete_prefix", "redact_url", "text")


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


async def connect(url: str, *, timeout: float = 5.0) -> Redis:
    """A redis-py asyncio client for ``url``, checked with PING."""
    try:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise RedisUnavailableError(
            "the Redis journal/bus needs redis-py: pip install 'minimax-async[redis]'"
        ) from exc
    client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        raise RedisUnavailableError(f"cannot reach Redis at {redact_url(url)}: {exc}") from exc
    return client


def text(value: Any) -> str:
    """A Redis reply (bytes, as the clients here are not decoding) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


async def delete_prefix(client: Redis, prefix: str) -> int:
    """Delete every key under ``prefix:`` (one deployment's or test run's); returns how many."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
    for start in range(0, len(keys), 500):
        await client.delete(*keys[start : start + 500])
    return len(keys)
