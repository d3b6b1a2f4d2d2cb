"""What every resource shares: the client's transport, limits and callback receiver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from minimax_async._config import ClientConfig
from minimax_async._exceptions import InvalidInputError
from minimax_async._limits import InFlightLimiter, RateLimiter
from minimax_async._tasks import ResultWaiter, TaskKind
from minimax_async._transport import Transport

__all__ = ("Core", "Resource", "check_flag", "check_id")


@dataclass
class Core:
    """The client's moving parts, shared by its resources."""

    config: ClientConfig
    transport: Transport
    limiter: RateLimiter | None
    in_flight: InFlightLimiter
    waiter: ResultWaiter | None
    #: True when this client started the receiver, so closing the client stops it.
    started_waiter: bool = False

    async def start_waiter(self) -> None:
        """Start the receiver if there is one and it is not running."""
        if self.waiter is not None and not self.waiter.running:
            await self.waiter.start()
            self.started_waiter = True

    async def callback_url(self, given: str | None, kind: TaskKind) -> str | None:
        """The caller's callback_url (checked), else the receiver's, else None."""
        if given is not None:
            value: Any = given  # callers may pass anything; check before parsing
            parts = urlsplit(value) if isinstance(value, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                raise InvalidInputError("callback_url", given, "must be an http(s) URL")
            return given
        if self.waiter is None:
            return None
        await self.start_waiter()
        return self.waiter.callback_url(kind)


class Resource:
    """Base of the resources: holds the shared :class:`Core`."""

    def __init__(self, core: Core) -> None:
        self._core = core

    @property
    def poll_interval(self) -> float:
        """Seconds between polls when no callback receiver is attached."""
        return self._core.config.poll_interval

    @property
    def waiter(self) -> ResultWaiter | None:
        """The client's callback receiver, if it has one."""
        return self._core.waiter


def check_id(value: Any, *, field: str, digits: bool = False) -> str:
    """An id as a string; an int is accepted (a bool is not). File ids are int64."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(field, value, "must be a non-empty id string")
    value = value.strip()
    if not value.isascii() or not value.isprintable() or " " in value:
        raise InvalidInputError(field, value, "must be printable ASCII without spaces")
    if digits and not value.isdigit():
        raise InvalidInputError(field, value, "must contain only digits (an int64 id)")
    return str(value)


def check_flag(name: str, value: Any) -> bool | None:
    """Optional boolean options must be real booleans (1 and "yes" are refused)."""
    if value is not None and not isinstance(value, bool):
        raise InvalidInputError(name, value, "must be True, False or None")
    return value
