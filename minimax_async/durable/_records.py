"""What the journal keeps per create: the intent, the task id, its status and result.

A create body can carry two 20 MB data URLs; the journal never stores them. It keeps
the SHA-256 fingerprint of the exact body and a copy with every inline image replaced
by its own digest, enough to recognise and reconcile a request without the payload.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from minimax_async._status import TaskStatus
from minimax_async.models import TaskSnapshot, V2Snapshot

__all__ = (
    "CLOSED_STATES",
    "DEFAULT_RETENTION",
    "EntryState",
    "JournalEntry",
    "TaskKind",
    "fingerprint",
    "new_entry",
    "redact_body",
    "snapshot_from_json",
    "snapshot_to_json",
)

TaskKind = Literal["video", "agent", "v2"]

#: ``intent``: recorded, the create may or may not have reached MiniMax;
#: ``submitted``: MiniMax answered with a task id; ``refused``: MiniMax provably did not
#: create a task; ``finished``: the terminal snapshot is recorded; ``abandoned``: an
#: ambiguous intent the caller reconciled as never created.
EntryState = Literal["intent", "submitted", "refused", "finished", "abandoned"]

#: States in which an entry waits on nothing: what retention prunes.
CLOSED_STATES: frozenset[EntryState] = frozenset({"finished", "refused", "abandoned"})

#: How long a closed entry is kept: 7 days. MiniMax answers queries about a task for
#: 7 days (V2's documented window; the longest of its windows) and a result URL lives
#: 1 to 9 hours, so after a week an entry can no longer be re-attached, reconciled or
#: re-downloaded: the journal keeps everything MiniMax could still act on, no longer.
DEFAULT_RETENTION = 7 * 24 * 3600.0

# Strings this long are payloads (inline images), not parameters worth keeping.
_LONG = 2048


def _canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(body: Any) -> str:
    """``sha256:<hex>`` of the body's canonical JSON (sorted keys, no spaces)."""
    return "sha256:" + hashlib.sha256(_canonical(body)).hexdigest()


def redact_body(body: Any) -> Any:
    """A copy of ``body`` with each data URL (or any huge string) replaced by its digest."""
    if isinstance(body, dict):
        return {key: redact_body(value) for key, value in body.items()}
    if isinstance(body, list):
        return [redact_body(value) for value in body]
    if isinstance(body, str) and (body.startswith("data:") or len(body) > _LONG):
        return "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    return body


def snapshot_to_json(snapshot: TaskSnapshot) -> str:
    """The snapshot as compact JSON (what every store persists)."""
    return snapshot.model_dump_json(exclude_none=True)


def snapshot_from_json(text: str | bytes) -> TaskSnapshot:
    """Inverse of :func:`snapshot_to_json`: a V2 task (it carries ``task``) comes back as
    a :class:`V2Snapshot`, so its ``content.url`` is there for ``result()``."""
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("task"), dict):
        return V2Snapshot.model_validate(data)
    return TaskSnapshot.model_validate(data)


@dataclass(frozen=True)
class JournalEntry:
    """One create, from intent to handled result. Immutable: stores hand out copies.

    ``key`` is the client-side key recorded before the create was sent; ``body`` is the
    redacted request and ``fingerprint`` the digest of the exact one. ``status`` is the
    furthest status seen; ``snapshot`` the terminal one once ``state == "finished"``.
    ``handled`` is True once the result handler for ``kind`` completed.
    ``closed_at`` is when the entry reached a closed state (finished, refused,
    abandoned): retention counts from it. ``endpoint`` is the path the create was
    POSTed to, so a resumed task gets the right handle (an H3-Context-IR task and a
    V2 video task share ``kind="v2"``); None in entries written before it was kept.
    """

    key: str
    kind: TaskKind
    fingerprint: str
    body: dict[str, Any] = field(repr=False)
    state: EntryState = "intent"
    task_id: str | None = None
    trace_id: str | None = None
    status: TaskStatus = TaskStatus.UNKNOWN
    snapshot: TaskSnapshot | None = field(default=None, repr=False)
    error: str | None = None
    handled: bool = False
    created_at: float = field(default_factory=time.time)
    closed_at: float | None = None
    endpoint: str | None = None

    @property
    def ambiguous(self) -> bool:
        """An intent without a task id: the create may have been accepted. Never resent."""
        return self.state == "intent"

    @property
    def closed(self) -> bool:
        """Waiting on nothing: finished, refused or abandoned."""
        return self.state in CLOSED_STATES

    def closed_before(self, cutoff: float) -> bool:
        """Closed, and since before ``cutoff`` (an entry from before closed_at existed
        counts from its creation)."""
        closed_at = self.closed_at if self.closed_at is not None else self.created_at
        return self.closed and closed_at < cutoff

    @property
    def open(self) -> bool:
        """Still waiting on MiniMax (ambiguous, or submitted without a result)."""
        return self.state in ("intent", "submitted")

    def to_json(self) -> str:
        """Serialised form used by the SQLite and Redis stores."""
        data: dict[str, Any] = {
            "key": self.key,
            "kind": self.kind,
            "fingerprint": self.fingerprint,
            "body": self.body,
            "state": self.state,
            "task_id": self.task_id,
            "trace_id": self.trace_id,
            "status": self.status.value,
            "snapshot": snapshot_to_json(self.snapshot) if self.snapshot else None,
            "error": self.error,
            "handled": self.handled,
            "created_at": self.created_at,
            "closed_at": self.closed_at,
            "endpoint": self.endpoint,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> JournalEntry:
        """Inverse of :meth:`to_json`."""
        data = json.loads(text)
        snap = data.get("snapshot")
        return cls(
            key=data["key"],
            kind=data["kind"],
            fingerprint=data["fingerprint"],
            body=data["body"],
            state=data["state"],
            task_id=data.get("task_id"),
            trace_id=data.get("trace_id"),
            status=TaskStatus.parse(data.get("status")),
            snapshot=snapshot_from_json(snap) if snap else None,
            error=data.get("error"),
            handled=bool(data.get("handled")),
            created_at=float(data.get("created_at", 0.0)),
            closed_at=_optional_float(data.get("closed_at")),
            endpoint=data.get("endpoint"),
        )

    def evolve(self, **changes: Any) -> JournalEntry:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)


def _optional_float(value: Any) -> float | None:
    return float(value) if value is not None else None


def new_entry(
    key: str, kind: TaskKind, body: dict[str, Any], *, endpoint: str | None = None
) -> JournalEntry:
    """The intent record for ``body`` (to be POSTed to ``endpoint``), made before sending."""
    return JournalEntry(
        key=key,
        kind=kind,
        fingerprint=fingerprint(body),
        body=redact_body(body),
        endpoint=endpoint,
    )
