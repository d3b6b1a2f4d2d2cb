"""The receiver's HTTP edge without an HTTP framework: route, secret, challenge, push.

:class:`Endpoint` holds the logic every transport shares (path and method in, then
bytes in, status and encoded JSON out): the aiohttp application (mounted or
standalone) and the ASGI adapter only move bytes. Pushes are unsigned
upstream, so everything arriving is untrusted: a wrong or missing secret gets a bare
404 before the body is read, oversized bodies get 413, anything malformed gets 400.
Nothing a sender does yields a 500.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any

from pydantic import ValidationError

from minimax_async._exceptions import InvalidInputError
from minimax_async._status import TaskStatus
from minimax_async._tracker import TaskTracker
from minimax_async.callbacks._hooks import Hooks
from minimax_async.models import TaskSnapshot, V2QueryResponse, V2Snapshot

__all__ = ("KINDS", "Endpoint", "Reply", "dumps", "normalise_path")

logger = logging.getLogger(__name__)

KINDS = ("video", "agent", "v2")
_TASK_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_OK: dict[str, Any] = {"status": "success"}

_JSON_ERRORS = (ValueError, RecursionError)


def dumps(payload: Any) -> bytes:
    """Encode a reply: compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":")).encode()


_OK_BODY = dumps(_OK)
Reply = tuple[int, dict[str, Any]]


def normalise_path(path: str) -> str:
    """``"minimax/callback/"`` -> ``"/minimax/callback"``; ``"/"`` -> ``""``."""
    path = "/" + path.strip("/")
    return "" if path == "/" else path


def _rule(field: str, value: Any, rule: str) -> dict[str, Any]:
    return {"error": str(InvalidInputError(field, value, rule))}


class Endpoint:
    """Turns one request into a reply, in two steps every transport follows.

    :meth:`admit` decides from the path and method alone (so a stranger's body is never
    read); :meth:`answer` takes the whole body, size-checked against ``max_body``.
    """

    __slots__ = ("_hooks", "_prefix", "_secret", "_tracker", "max_body", "path")

    def __init__(
        self, *, secret: str, tracker: TaskTracker, hooks: Hooks, max_body: int, path: str
    ) -> None:
        self._secret = secret.encode()
        self._tracker = tracker
        self._hooks = hooks
        self.max_body = max_body
        self.path = path
        self._prefix = path + "/"

    def locate(self, path: str) -> tuple[str, str] | None:
        """``(secret, kind)`` from ``{path}/{secret}[/{kind}]``, else None (any secret)."""
        if not path.startswith(self._prefix):
            return None
        secret, _, kind = path[len(self._prefix) :].partition("/")
        return (secret, kind or "video") if secret else None

    def admit(self, route: tuple[str, str] | None, method: str, trace_id: str | None) -> int:
        """0 to go on and read the body; else the status to answer (404 or 405)."""
        if route is None or route[1] not in KINDS or not self.secret_ok(route[0]):
            self.reject("unknown callback path", trace_id=trace_id)
            return 404
        return 0 if method == "POST" else 405

    def secret_ok(self, candidate: str) -> bool:
        """Constant-time comparison, so response timing leaks nothing about the secret."""
        return hmac.compare_digest(candidate.encode("utf-8", "replace"), self._secret)

    def reject(self, reason: str, *, trace_id: str | None = None) -> None:
        """Record a refused request (the reason never includes the secret)."""
        self._hooks.emit("push_rejected", trace_id=trace_id, detail=reason)

    def oversized(self, trace_id: str | None) -> tuple[int, bytes]:
        """The 413 for a body over ``max_body`` (declared or counted)."""
        self.reject("body too large", trace_id=trace_id)
        limit = self.max_body
        rule = _rule("body", f"more than {limit} bytes", f"must be at most {limit} bytes")
        return 413, dumps(rule)

    def answer(self, body: bytes, *, kind: str, trace_id: str | None) -> tuple[int, bytes]:
        """:meth:`handle`, encoded; the common success reply is pre-encoded."""
        status, payload = self.handle(body, kind=kind, trace_id=trace_id)
        return status, _OK_BODY if payload is _OK else dumps(payload)

    def handle(self, body: bytes, *, kind: str, trace_id: str | None) -> Reply:
        """Answer a challenge or apply a push; never raises."""
        try:
            data = json.loads(body)
        except _JSON_ERRORS:
            self.reject("body is not JSON", trace_id=trace_id)
            return 400, _rule("body", body[:40], "must be a JSON object")
        if not isinstance(data, dict):
            self.reject("body is not a JSON object", trace_id=trace_id)
            return 400, _rule("body", type(data).__name__, "must be a JSON object")
        # The challenge comes first: MiniMax fails the create call if it is not echoed
        # within 3 s, so nothing else is done for it.
        if "challenge" in data:
            return self._challenge(data["challenge"], trace_id)
        try:
            snapshot, problem = _parse_push(data, kind)
        except Exception:
            # Defensive: a parser bug must not become a 500 for the sender.
            logger.exception("unexpected error parsing a push")
            snapshot, problem = None, _rule("body", "?", "could not be parsed as a push")
        if snapshot is None:
            self.reject(str(problem and problem.get("error")), trace_id=trace_id)
            return 400, problem or {}
        try:
            self._tracker.on_push(snapshot, trace_id=trace_id)
        except Exception:
            logger.exception("unexpected error applying a push for task %s", snapshot.task_id)
            return 400, {"error": "push could not be applied"}
        return 200, _OK

    def _challenge(self, value: Any, trace_id: str | None) -> Reply:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.reject("challenge is not a string", trace_id=trace_id)
            return 400, _rule("challenge", value, "must be a string")
        if isinstance(value, str) and not _is_utf8_text(value):
            # The json module lets lone surrogates through, and they cannot be echoed.
            self.reject("challenge is not valid Unicode text", trace_id=trace_id)
            return 400, _rule("challenge", value, "must be valid Unicode text")
        self._hooks.emit("challenge", trace_id=trace_id)
        return 200, {"challenge": value}


def _is_utf8_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_push(data: dict[str, Any], kind: str) -> tuple[TaskSnapshot | None, dict[str, Any]]:
    if kind == "v2" or isinstance(data.get("task"), dict):
        return _parse_v2_push(data)
    task_id = data.get("task_id")
    if isinstance(task_id, int) and not isinstance(task_id, bool):
        task_id = str(task_id)
    if not isinstance(task_id, str) or not _TASK_ID.fullmatch(task_id):
        return None, _rule("task_id", task_id, "must be 1-64 letters, digits or _.:-")
    raw = data.get("status")
    status = TaskStatus.parse(raw)
    if status is TaskStatus.UNKNOWN:
        return None, _rule("status", raw, "must be a known task status")
    if status is TaskStatus.SUCCESS:
        if kind == "video" and not data.get("file_id"):
            return None, _rule("file_id", data.get("file_id"), "a video success push needs one")
        if kind == "agent" and not (data.get("video_url") or data.get("file_id")):
            return None, _rule("video_url", None, "an agent success push needs one")
    try:
        snapshot = TaskSnapshot.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        return None, _rule(field, first.get("input"), first["msg"])
    return snapshot, _OK


def _parse_v2_push(data: dict[str, Any]) -> tuple[TaskSnapshot | None, dict[str, Any]]:
    """A V2 push has the query's shape, ``{"task": {...}}`` (reference V2 §9)."""
    task = data.get("task")
    if not isinstance(task, dict):
        return None, _rule("task", type(task).__name__, 'a V2 push is {"task": {...}}')
    task_id = task.get("id")
    if isinstance(task_id, int) and not isinstance(task_id, bool):
        task_id = str(task_id)
    if not isinstance(task_id, str) or not _TASK_ID.fullmatch(task_id):
        return None, _rule("task.id", task_id, "must be 1-64 letters, digits or _.:-")
    try:
        snapshot = V2Snapshot.of(V2QueryResponse.model_validate(data).task)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        return None, _rule(field, first.get("input"), first["msg"])
    if snapshot.status is TaskStatus.UNKNOWN:
        return None, _rule("task.status", task.get("status"), "must be a known V2 task status")
    content = snapshot.task.content
    if snapshot.status is TaskStatus.SUCCESS and not (content and (content.url or content.prompt)):
        return None, _rule("task.content", None, "a succeeded push needs its url (or prompt)")
    return snapshot, _OK
