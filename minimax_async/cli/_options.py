"""The options every API subcommand shares, and the client they set up.

:func:`open_client` is an async context manager giving a ready ``AsyncMiniMax``:

- no ``--api-key``/``MINIMAX_API_KEY`` and no ``--base-url``/``MINIMAX_BASE_URL``: an
  embedded emulator is started in-process (fast timings, its state kept across runs in
  a per-user cache file) and said so in one line on stderr; results arrive by push
  through a loopback ``CallbackServer`` unless ``--poll``;
- a real host: results arrive by push only when ``--callback-public-url`` says where
  MiniMax can reach us (listening on ``--callback-listen``, default 0.0.0.0:8080; a
  self-check proves the URL reaches it before any create); otherwise the client polls;
- a base URL on loopback (an emulator on this machine): a receiver on loopback, so
  results arrive by push.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit

from minimax_async._client import AsyncMiniMax
from minimax_async.callbacks import CallbackServer, SelfCheckError
from minimax_async.cli._exit import CliError
from minimax_async.cli._output import Output

__all__ = (
    "EMBEDDED_KEY",
    "EMBEDDED_TIME_SCALE",
    "Settings",
    "check_base_url",
    "embedded_state_file",
    "is_loopback",
    "open_client",
    "parse_listen",
    "settings_from",
)

#: The key the embedded emulator is called with (it accepts any well-formed key).
EMBEDDED_KEY = "embedded-emulator"
#: Emulator stages take about 4 s at scale 1; a fifth of that keeps the demo snappy.
EMBEDDED_TIME_SCALE = 0.2
#: Polling interval against the embedded emulator (MiniMax itself: the client default).
EMBEDDED_POLL_INTERVAL = 0.2


def embedded_state_file() -> Path:
    """The embedded emulator's per-user state: ``$XDG_CACHE_HOME/minimax-async/...``."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "minimax-async" / "emulator-state.jsonl"


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings (the key is never printed)."""

    api_key: str | None
    base_url: str | None
    region: str | None
    listen: tuple[str, int] | None
    public_url: str | None
    poll: bool
    poll_interval: float | None
    timeout: float

    @property
    def embedded(self) -> bool:
        """True when neither a key nor a base URL was given anywhere."""
        return not self.api_key and not self.base_url

    def __repr__(self) -> str:
        return f"Settings(base_url={self.base_url!r}, region={self.region!r})"


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) to (host, port)."""
    host, sep, port_text = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise CliError(f"--callback-listen={value!r}: must be HOST:PORT, e.g. 0.0.0.0:8080")
    return host, int(port_text)


def _check_http_url(value: str, flag: str) -> SplitResult:
    """``value`` split, or CliError naming ``flag``, the value and the rule it breaks."""
    try:
        parts = urlsplit(value)
        port = parts.port  # raises for a port that is not a number in 0-65535
    except ValueError as exc:
        raise CliError(f"{flag}={value!r}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise CliError(f"{flag}={value!r}: must start with http:// or https://")
    if not parts.hostname:
        raise CliError(f"{flag}={value!r}: has no host (e.g. http://127.0.0.1:8765)")
    if port == 0:
        raise CliError(f"{flag}={value!r}: port must be 1-65535")
    return parts


def check_base_url(value: str, flag: str = "--base-url") -> None:
    """A MiniMax API root such as ``https://api.minimax.io``; CliError (exit 2) if not."""
    parts = _check_http_url(value, flag)
    if parts.path.rstrip("/").endswith("/v1"):
        root = value[: value.rstrip("/").rfind("/v1")]
        raise CliError(
            f"{flag}={value!r}: give the API root without /v1 (the paths add it), e.g. {root!r}"
        )
    if parts.query or parts.fragment:
        raise CliError(f"{flag}={value!r}: must not have a query or fragment")


def is_loopback(url: str) -> bool:
    """True when ``url``'s host is this machine (127.0.0.0/8, ::1, localhost)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def settings_from(args: argparse.Namespace) -> Settings:
    """Merge flags and environment; CliError (exit 2) for contradictory settings."""
    api_key = args.api_key or os.environ.get("MINIMAX_API_KEY") or None
    base_url = args.base_url or os.environ.get("MINIMAX_BASE_URL") or None
    # Commands that do not wait (status, download) have no waiting options: no receiver.
    timeout: float = getattr(args, "timeout", 1800.0)
    poll: bool = getattr(args, "poll", True)
    poll_interval: float | None = getattr(args, "poll_interval", None)
    public_url: str | None = getattr(args, "callback_public_url", None)
    listen_at: str | None = getattr(args, "callback_listen", None)
    if timeout <= 0:
        raise CliError(f"--timeout={timeout:g}: must be positive")
    if poll_interval is not None and poll_interval <= 0:
        raise CliError(f"--poll-interval={poll_interval:g}: must be positive")
    if base_url:
        check_base_url(base_url, "--base-url" if args.base_url else "MINIMAX_BASE_URL")
    if base_url and not api_key:
        raise CliError("--base-url is set but no API key: pass --api-key or set MINIMAX_API_KEY")
    if public_url and poll:
        raise CliError("--callback-public-url and --poll contradict each other; pick one")
    if public_url:
        _check_http_url(public_url, "--callback-public-url")
    listen = parse_listen(listen_at) if listen_at else None
    return Settings(
        api_key=api_key,
        base_url=base_url,
        region=args.region,
        listen=listen,
        public_url=public_url,
        poll=poll,
        poll_interval=poll_interval,
        timeout=timeout,
    )


async def _self_check(callbacks: CallbackServer, settings: Settings) -> None:
    """MiniMax must reach the receiver: check before any create is paid for."""
    host, port = settings.listen or ("0.0.0.0", 8080)
    try:
        await callbacks.self_check()
    except SelfCheckError as exc:
        raise CliError(
            f"--callback-public-url={settings.public_url!r} does not reach the receiver"
            f" listening on {host}:{port} (--callback-listen): {exc}; nothing was sent."
            " Forward that URL to this address, or use --poll"
        ) from None


@asynccontextmanager
async def open_client(
    settings: Settings, out: Output, *, own_admission: bool = False
) -> AsyncIterator[AsyncMiniMax]:
    """An open ``AsyncMiniMax`` for these settings (plus emulator/receiver as needed).

    ``own_admission``: the caller paces creates itself (``batch``, so that Ctrl-C can
    cancel a create still waiting for the rate limiter); the client then has no RPM
    limit and no in-flight cap of its own.
    """

    async with AsyncExitStack() as stack:
        options: dict[str, Any] = {}
        if own_admission:
            options.update(rpm=None, max_in_flight=None)
        if settings.embedded:
            from minimax_async.emulator import Emulator, EmulatorConfig

            region: Literal["global", "cn"] = "cn" if settings.region == "cn" else "global"
            config = EmulatorConfig(time_scale=EMBEDDED_TIME_SCALE, region=region)
            # Its state outlives the run, so "run the same command again" (resume,
            # status, download) behaves as it will with MiniMax.
            emulator = await stack.enter_async_context(
                Emulator(config=config, state_file=embedded_state_file())
            )
            out.note(
                "no MINIMAX_API_KEY or --base-url; using the embedded emulator at"
                f" {emulator.base_url}"
            )
            api_key: str | None = EMBEDDED_KEY
            base_url: str | None = emulator.base_url
            options["poll_interval"] = EMBEDDED_POLL_INTERVAL
            # The emulator has no rate limit to respect; MiniMax's 20 RPM stays the default.
            options.setdefault("rpm", None)
            callbacks = None if settings.poll else CallbackServer(host="127.0.0.1", port=0)
        else:
            api_key, base_url = settings.api_key, settings.base_url
            callbacks = None
            if settings.public_url and not settings.poll:
                host, port = settings.listen or ("0.0.0.0", 8080)
                callbacks = CallbackServer(host=host, port=port, public_url=settings.public_url)
            elif base_url and is_loopback(base_url) and not settings.poll:
                # An emulator on this machine reaches a receiver on loopback: results
                # by push, not after a poll interval.
                host, port = settings.listen or ("127.0.0.1", 0)
                callbacks = CallbackServer(host=host, port=port)
        if settings.poll_interval is not None:
            options["poll_interval"] = settings.poll_interval
        if callbacks is not None:
            await stack.enter_async_context(callbacks)
            if settings.public_url:
                await _self_check(callbacks, settings)
        client = AsyncMiniMax(
            api_key=api_key,
            base_url=base_url,
            region=settings.region,
            callbacks=callbacks,
            **options,
        )
        yield await stack.enter_async_context(client)
