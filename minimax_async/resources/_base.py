"""What every resource shares: the client's transport, limits and callback receiver."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from minimax_async._config import ClientConfig
from minimax_async._exceptions import AmbiguousCreateError, InvalidInputError, MiniMaxError
from minimax_async._limits import InFlightLimiter, RateLimiter, Slot
from minimax_async._ref import TaskKind, TaskRef
from minimax_async._status import TaskStatus
from minimax_async._transport import Transport
from minimax_async.models import (
    AgentQueryResponse,
    TaskSnapshot,
    V2QueryResponse,
    V2Snapshot,
    VideoQueryResponse,
)

if TYPE_CHECKING:
    from minimax_async._engine import ResultWaiter, TaskEngine
    from minimax_async.durable import Durability

__all__ = (
    "QUERIES",
    "V2_QUERY_PATH",
    "Core",
    "Resource",
    "TaskResource",
    "check_extra_headers",
    "check_flag",
    "check_id",
    "with_extra_body",
)

#: Each task kind's query endpoint and the model of its answer.
QUERIES: dict[TaskKind, tuple[str, type[TaskSnapshot]]] = {
    "video": ("/v1/query/video_generation", VideoQueryResponse),
    "agent": ("/v1/query/video_template_generation", AgentQueryResponse),
}

#: The V2 query (``/{task_id}``) and list endpoint.
V2_QUERY_PATH = "/v2/query/video_generation"

S = TypeVar("S", bound=TaskSnapshot)


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
    #: The task journal's glue, when the client has a journal.
    durability: Durability | None = None

    async def start_waiter(self) -> None:
        """Start the receiver if there is one and it is not running."""
        if self.waiter is not None and not self.waiter.running:
            await self.waiter.start()
            self.started_waiter = True

    async def submit(
        self,
        kind: TaskKind,
        path: str,
        body: dict[str, Any],
        *,
        hold: Callable[[str, Slot], None],
        timeout: float | None,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> TaskRef:
        """Take an in-flight slot, then send one create; the slot goes back if it fails.

        On success the slot is handed to ``hold(task_id, slot)`` (the task engine, which
        keeps it until the result is delivered) before the journal hears of the task.
        ``extra_body`` is merged into the checked body as given (its keys win), so what
        is journaled is exactly what is sent; ``extra_headers`` go on the request only.
        """
        body = with_extra_body(body, extra_body)
        headers = check_extra_headers(extra_headers)
        durable = self.durability
        key: str | None = None
        slot = await self.in_flight.acquire()
        try:
            if durable is not None:
                # Journaled before the request exists: a crash from here on leaves a record.
                key = await durable.before_create(kind, body, endpoint=path)
            created = await self.transport.create(
                path, body, limiter=self.limiter, timeout=timeout, client_key=key, headers=headers
            )
        except BaseException as exc:
            slot.release()
            # Only a provable refusal closes the intent; anything else (ambiguous,
            # cancelled mid-flight) stays open for resume() to surface.
            if key is not None and durable is not None and _refused(exc):
                await durable.refused(key, exc)
            raise
        assert created.task_id is not None  # the transport refuses answers without one
        ref = TaskRef(kind, created.task_id, created.trace_id)
        hold(ref.task_id, slot)
        if key is not None and durable is not None:
            await durable.created(key, ref, endpoint=path)
        return ref

    async def query(
        self,
        path: str,
        task_id: str | int,
        model: type[S],
        *,
        timeout: float | None,
        retry: bool = True,
    ) -> S:
        """One task query; a failed task answers normally, its reason in base_resp.

        ``retry=False`` for the tracker's polls: it reschedules a failed poll itself.
        """
        tid = check_id(task_id, field="task_id")
        return await self.transport.get(
            path,
            params={"task_id": tid},
            model=model,
            timeout=timeout,
            # A failed task carries its reason (1026/1027) in base_resp: not an error.
            tolerate=lambda snap: snap.status is TaskStatus.FAIL,
            retries=None if retry else 0,
        )

    async def query_v2(
        self, task_id: str | int, *, timeout: float | None, retry: bool = True
    ) -> V2Snapshot:
        """One V2 task query (the id is in the path; a failed task answers normally)."""
        tid = check_id(task_id, field="task_id")
        answer = await self.transport.get(
            f"{V2_QUERY_PATH}/{tid}",
            params={},
            model=V2QueryResponse,
            timeout=timeout,
            retries=None if retry else 0,
        )
        return V2Snapshot.of(answer.task)

    async def query_ref(self, ref: TaskRef, retry: bool) -> TaskSnapshot:
        """The engine's query of a handle's task: its kind picks the endpoint."""
        if ref.kind == "v2":
            return await self.query_v2(ref.task_id, timeout=None, retry=retry)
        path, model = QUERIES[ref.kind]
        return await self.query(path, ref.task_id, model, timeout=None, retry=retry)

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


def _refused(exc: BaseException) -> bool:
    return isinstance(exc, MiniMaxError) and not isinstance(exc, AmbiguousCreateError)


class Resource:
    """Base of the resources: holds the shared :class:`Core`."""

    def __init__(self, core: Core) -> None:
        self._core = core


class TaskResource(Resource):
    """A resource that creates tasks: it hands out handles on the client's engine."""

    def __init__(self, core: Core, engine: TaskEngine) -> None:
        super().__init__(core)
        self._engine = engine

    @property
    def poll_interval(self) -> float:
        """Seconds between polls when no callback receiver is attached."""
        return self._core.config.poll_interval


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


def with_extra_body(body: dict[str, Any], extra: Any) -> dict[str, Any]:
    """``body`` with a caller's ``extra_body`` on top, for fields MiniMax added lately."""
    if extra is None:
        return body
    if not isinstance(extra, Mapping) or not all(isinstance(key, str) for key in extra):
        raise InvalidInputError("extra_body", extra, "must be a mapping with string keys")
    try:
        json.dumps(extra, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError("extra_body", extra, f"must be JSON-serialisable ({exc})") from None
    return {**body, **extra}


def check_extra_headers(extra: Any) -> dict[str, str] | None:
    """A caller's ``extra_headers``, checked: strings only, and never the credentials."""
    if extra is None:
        return None
    if not isinstance(extra, Mapping) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in extra.items()
    ):
        raise InvalidInputError("extra_headers", extra, "must map header names to strings")
    for name in extra:
        if name.lower() == "authorization":
            raise InvalidInputError(
                "extra_headers", name, "must not set Authorization; pass api_key instead"
            )
    return dict(extra)


def check_flag(name: str, value: Any) -> bool | None:
    """Optional boolean options must be real booleans (1 and "yes" are refused)."""
    if value is not None and not isinstance(value, bool):
        raise InvalidInputError(name, value, "must be True, False or None")
    return value
