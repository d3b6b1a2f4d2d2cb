"""The HTTP edge of the receiver: secret check, size cap, challenge echo, push parsing.

:class:`Endpoint` holds the framework-free logic (bytes in, status + JSON out) that
both the aiohttp application here and the ASGI adapter feed. Pushes are unsigned
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

from aiohttp import web
from pydantic import ValidationError

from minimax_async._exceptions import InvalidInputError
from minimax_async._status import TaskStatus
from minimax_async.callbacks._hooks import Hooks
from minimax_async.callbacks._tracker import Tracker
from minimax_async.models import TaskSnapshot

__all__ = (
    "KINDS",
    "Endpoint",
    "build_aiohttp_app",
    "build_server",
    "dumps",
    "loads",
    "normalise_path",
    "respond",
)

logger = logging.getLogger(__name__)

KINDS = ("video", "agent")
_TASK_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_OK: dict[str, Any] = {"status": "success"}
_JSON = "application/json"

try:  # the `speed` extra: orjson parses pushes several times faster than json
    import orjson

    loads: Any = orjson.loads
    _JSON_ERRORS: tuple[type[Exception], ...] = (ValueError, RecursionError)

    def dumps(payload: Any) -> bytes:
        """Encode a reply (orjson when installed, else the json module)."""
        return orjson.dumps(payload)

except ImportError:  # pragma: no cover - exercised when the extra is absent
    loads = json.loads
    _JSON_ERRORS = (ValueError, RecursionError)

    def dumps(payload: Any) -> bytes:
        """Encode a reply (orjson when installed, else the json module)."""
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
    """Turns one request (already routed and size-checked) into a reply."""

    __slots__ = ("_hooks", "_secret", "_tracker", "max_body")

    def __init__(self, *, secret: str, tracker: Tracker, hooks: Hooks, max_body: int) -> None:
        self._secret = secret.encode()
        self._tracker = tracker
        self._hooks = hooks
        self.max_body = max_body

    def secret_ok(self, candidate: str) -> bool:
        """Constant-time comparison, so response timing leaks nothing about the secret."""
        return hmac.compare_digest(candidate.encode(), self._secret)

    def reject(self, reason: str, *, trace_id: str | None = None) -> None:
        """Record a refused request (the reason never includes the secret)."""
        self._hooks.emit("push_rejected", trace_id=trace_id, detail=reason)

    def handle(self, body: bytes, *, kind: str, trace_id: str | None) -> Reply:
        """Answer a challenge or apply a push; never raises."""
        try:
            data = loads(body)
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
            # orjson refuses lone surrogates while parsing; the json module lets them
            # through, so check here and answer the same either way.
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


# -- aiohttp ----------------------------------------------------------------------------


async def _read_capped(request: web.BaseRequest, limit: int) -> bytes | None:
    """The body, or None if it is larger than ``limit`` bytes (never buffered whole)."""
    declared = request.content_length
    if declared is not None:
        # aiohttp reads exactly the declared length, which was checked against the cap.
        return await request.read() if declared <= limit else None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def respond(
    endpoint: Endpoint, request: web.BaseRequest, secret: str, kind: str
) -> web.StreamResponse:
    """The whole answer to one routed request: secret, size cap, then the endpoint."""
    trace_id = request.headers.get("Trace-Id")
    if not endpoint.secret_ok(secret) or kind not in KINDS:
        endpoint.reject("unknown callback path", trace_id=trace_id)
        return web.Response(status=404)
    body = await _read_capped(request, endpoint.max_body)
    if body is None:
        endpoint.reject("body too large", trace_id=trace_id)
        return web.json_response(_too_large(endpoint.max_body), status=413)
    status, payload = endpoint.handle(body, kind=kind, trace_id=trace_id)
    # The common answer is pre-encoded: no encoder call per push.
    encoded = _OK_BODY if payload is _OK else dumps(payload)
    return web.Response(body=encoded, status=status, content_type=_JSON)


def build_aiohttp_app(endpoint: Endpoint, path: str) -> web.Application:
    """An application serving ``POST {path}/{secret}[/{kind}]``; mount it anywhere."""

    async def handle(request: web.Request) -> web.StreamResponse:
        info = request.match_info
        return await respond(endpoint, request, info["secret"], info.get("kind", "video"))

    app = web.Application(client_max_size=endpoint.max_body)
    # Every URL the SDK hands out has a kind, so that route is tried first.
    app.router.add_post(path + "/{secret}/{kind}", handle)
    app.router.add_post(path + "/{secret}", handle)
    return app


def build_server(endpoint: Endpoint, path: str) -> web.Server:
    """The standalone receiver: aiohttp's low-level server with the routing done here.

    It answers exactly what :func:`build_aiohttp_app` answers, without the
    application and router machinery, which is a large part of aiohttp's cost per
    request (a bare handler served this way answers about a third more requests per
    second on the benchmark machine).
    """
    prefix = path + "/"

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        target = request.path
        if not target.startswith(prefix):
            return web.Response(status=404)
        secret, _, kind = target[len(prefix) :].partition("/")
        if "/" in kind or not secret:
            return web.Response(status=404)
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        return await respond(endpoint, request, secret, kind or "video")

    return web.Server(handle, access_log=None)


def _too_large(limit: int) -> dict[str, Any]:
    return _rule("body", f"more than {limit} bytes", f"must be at most {limit} bytes")
