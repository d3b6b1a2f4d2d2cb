"""Client settings: where they come from, their defaults, and why each default.

Resolution order for the three connection settings:

- ``api_key``: argument, then ``MINIMAX_API_KEY``; missing is an error at construction.
- ``region``: argument, then ``MINIMAX_REGION``, then ``"global"``.
- ``base_url``: argument, then ``MINIMAX_BASE_URL``, then the region's host
  (``https://api.minimax.io`` or ``https://api.minimaxi.com``). Keys are region-bound.

Defaults and their sources (reference §8.3, §9):

- ``rpm=20``: MiniMax documents 5 RPM (older global page; China free tier) and 20 RPM
  (China paid tier; the 2026-10 audit of the global docs, "Hailuo series 20 RPM"). 20 is
  chosen because overshooting is cheap and self-correcting: a 1002 answer proves the
  create was not accepted, so the limiter pauses and resends it. Undershooting would
  silently cap a paid account at a quarter of its quota. Free accounts may pass ``rpm=5``.
- ``max_in_flight=30``: V1 documents no cap; 30 is the only in-flight number MiniMax
  publishes (MiniMax-H3's 30 running tasks), used here as a sane ceiling.
- ``max_connections=10``: MiniMax has a connection limit (code 1041) of undocumented
  size; ten sockets are plenty for an API whose calls are short JSON exchanges.
- ``poll_interval=10``: MiniMax's own samples poll every 10 s.
- ``timeout=60``: per HTTP request; MiniMax's official sample uses 30 s, doubled because a
  create may carry two 20 MB frames and waits for the callback URL check (up to 3 s).
- ``max_retries=2``: reads (query, retrieve, download) retry twice with backoff.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from minimax_async._catalog import CN_BASE_URL, GLOBAL_BASE_URL
from minimax_async._exceptions import InvalidInputError

__all__ = (
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_IN_FLIGHT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_RPM",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "resolve_config",
)

DEFAULT_RPM = 20
DEFAULT_MAX_IN_FLIGHT = 30
DEFAULT_MAX_CONNECTIONS = 10
DEFAULT_POLL_INTERVAL = 10.0
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2

_HOSTS = {"global": GLOBAL_BASE_URL, "cn": CN_BASE_URL}
Region = Literal["global", "cn"]


@dataclass(frozen=True)
class ClientConfig:
    """Resolved, checked settings of one client. ``api_key`` never appears in the repr."""

    api_key: str = field(repr=False)
    base_url: str
    region: Region
    timeout: float
    max_retries: int
    rpm: float | None
    max_in_flight: int | None
    max_connections: int
    poll_interval: float


def resolve_config(
    *,
    api_key: str | None,
    base_url: str | None,
    region: str | None,
    timeout: float,
    max_retries: int,
    rpm: float | None,
    max_in_flight: int | None,
    max_connections: int,
    poll_interval: float,
) -> ClientConfig:
    """Merge arguments with the environment and check every value."""
    key = api_key if api_key is not None else os.environ.get("MINIMAX_API_KEY")
    if not key or not key.strip():
        raise InvalidInputError(
            "api_key", None, "missing: pass api_key=... or set the MINIMAX_API_KEY variable"
        )
    if key != key.strip() or any(ch.isspace() for ch in key):
        # The value is a secret: never echo it.
        raise InvalidInputError("api_key", "<hidden>", "must not contain whitespace")
    chosen_region = region if region is not None else os.environ.get("MINIMAX_REGION", "global")
    if chosen_region not in _HOSTS:
        raise InvalidInputError("region", chosen_region, "must be 'global' or 'cn'")
    url = base_url if base_url is not None else os.environ.get("MINIMAX_BASE_URL")
    url = (url or _HOSTS[chosen_region]).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInputError("base_url", url, "must start with http:// or https://")
    _check_limits(timeout, max_retries, rpm, max_in_flight, max_connections, poll_interval)
    return ClientConfig(
        api_key=key,
        base_url=url,
        region="cn" if chosen_region == "cn" else "global",
        timeout=float(timeout),
        max_retries=max_retries,
        rpm=rpm,
        max_in_flight=max_in_flight,
        max_connections=max_connections,
        poll_interval=float(poll_interval),
    )


def _check_limits(
    timeout: float,
    max_retries: int,
    rpm: float | None,
    max_in_flight: int | None,
    max_connections: int,
    poll_interval: float,
) -> None:
    if not timeout > 0:
        raise InvalidInputError("timeout", timeout, "must be > 0 seconds")
    if max_retries < 0:
        raise InvalidInputError("max_retries", max_retries, "must be an integer >= 0")
    if rpm is not None and not rpm > 0:
        raise InvalidInputError("rpm", rpm, "must be > 0 requests per minute, or None")
    if max_in_flight is not None and max_in_flight < 1:
        raise InvalidInputError("max_in_flight", max_in_flight, "must be >= 1, or None")
    if max_connections < 1:
        raise InvalidInputError("max_connections", max_connections, "must be >= 1")
    if not poll_interval > 0:
        raise InvalidInputError("poll_interval", poll_interval, "must be > 0 seconds")
