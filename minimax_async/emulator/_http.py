"""HTTP plumbing: Trace-Id, request recording, injected faults, auth and body reading."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._errors import BodyTooLarge
from minimax_async.emulator._recording import RecordedRequest
from minimax_async.emulator._state import owner_of
from minimax_async.emulator._wire import envelope, error_body

__all__ = (
    "AuthFailed",
    "answer",
    "authenticate",
    "current_record",
    "fault_middleware",
    "read_body",
    "record_middleware",
    "set_trace_header",
)

logger = logging.getLogger(__name__)
#: One INFO line per request: method, path, HTTP status, duration. Never a header, so
#: never the Authorization key; the query string is left out too.
request_log = logging.getLogger("minimax_async.emulator.requests")

# The record of the request being handled. A context variable rather than request
# storage: the middleware, the handler and on_response_prepare all run in its task.
_CURRENT: contextvars.ContextVar[RecordedRequest] = contextvars.ContextVar("emulator_record")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AuthFailed(Exception):
    """The request's credentials were refused with ``code`` (1004 or 2049)."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def current_record() -> RecordedRequest:
    """The record of the request being answered in this task."""
    return _CURRENT.get()


def answer(request: web.Request, body: dict[str, Any]) -> web.Response:
    """A JSON answer (always HTTP 200, like V1), noted in the request's record."""
    record = current_record()
    record.status_code = body.get("base_resp", {}).get("status_code")
    task_id = body.get("task_id")
    if task_id:
        record.task_id = task_id
    return web.json_response(body)


def record_middleware(
    requests: list[RecordedRequest],
) -> Middleware:
    """Record and log every request; map routing misses to 404 and bugs to a JSON 1000."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            json=None,
            trace_id=uuid.uuid4().hex,
        )
        _CURRENT.set(record)
        requests.append(record)
        started = time.perf_counter()
        try:
            response = await handler(request)
        except web.HTTPMethodNotAllowed:
            # V1 is a plain router: a known path with the wrong verb is a 404. V2 paths
            # answer 405 (e.g. GET /v2/video_generation/{id}, a typo seen in the wild).
            v2 = request.path.startswith("/v2/")
            text = "405 method not allowed" if v2 else "404 page not found"
            response = web.Response(status=405 if v2 else 404, text=text)
        except web.HTTPNotFound:
            response = web.Response(status=404, text="404 page not found")
        except web.HTTPException as exc:
            response = web.Response(status=exc.status, text=exc.text or exc.reason)
        except Exception:
            logger.exception("emulator bug while answering %s %s", request.method, request.path)
            record.status_code = 1000
            if request.path.startswith("/v2/"):
                body = envelope(500, 1000, "internal error", record.trace_id)
            else:
                body = error_body(1000, "unknown error")
            response = web.json_response(body, status=500)
        record.http_status = response.status
        request_log.info(
            "%s %s %d %.1f ms",
            request.method,
            request.path,
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return response

    return middleware


def fault_middleware(config: Callable[[], EmulatorConfig], rng: random.Random) -> Middleware:
    """On API routes only: stall some requests and answer some with a bare 5xx."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(("/v1/", "/v2/")):
            return await handler(request)
        live = config()
        record = current_record()
        if live.slow_rate and rng.random() < live.slow_rate:
            record.fault = "slow"
            await asyncio.sleep(live.slow_seconds)  # the injected stall itself
        if live.http_error_rate and rng.random() < live.http_error_rate:
            record.fault = f"http {live.http_error_status}"
            # Like a gateway error page: nothing behind it ran, so no task was created.
            return web.Response(
                status=live.http_error_status,
                text=f"<html><body>{live.http_error_status} emulated gateway error</body></html>",
                content_type="text/html",
            )
        return await handler(request)

    return middleware


async def set_trace_header(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare hook: every answer, 404s included, carries a Trace-Id."""
    record = _CURRENT.get(None)
    trace = record.trace_id if record is not None else uuid.uuid4().hex
    response.headers["Trace-Id"] = trace


def authenticate(request: web.Request, accepted: frozenset[str] | None) -> str:
    """The caller's owner fingerprint; AuthFailed with 1004/2049 otherwise."""
    header = request.headers.get("Authorization")
    if header is None or not header.strip():
        raise AuthFailed(1004, "not authorized: the Authorization header is missing")
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise AuthFailed(1004, "not authorized: expected 'Authorization: Bearer <API key>'")
    if not key.isascii() or not key.isprintable() or any(ch.isspace() for ch in key):
        raise AuthFailed(2049, "invalid api key")
    if accepted is not None and key not in accepted:
        raise AuthFailed(1004, "not authorized: the API key is not valid for this host")
    return owner_of(key)


async def read_body(request: web.Request, limit: int) -> bytes:
    """The raw body, refusing (BodyTooLarge on ``body``) anything over ``limit`` bytes."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise BodyTooLarge("body", f"<{declared} bytes>", f"larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge("body", f"<over {limit} bytes>", f"larger than {limit} bytes")
        chunks.append(chunk)
