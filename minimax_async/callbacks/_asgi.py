"""A small ASGI adapter so the receiver mounts into FastAPI or Starlette.

It feeds the very :class:`~minimax_async.callbacks._app.Endpoint` the aiohttp app
uses, so both behave identically, and needs no ASGI framework at runtime::

    app.mount("/minimax", callbacks.asgi_app())
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from minimax_async.callbacks._app import KINDS, Endpoint, dumps

__all__ = ("ASGIApp", "CallbackASGIApp")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class CallbackASGIApp:
    """ASGI 3 application serving ``POST {path}/{secret}[/{kind}]``.

    When mounted, ``scope["root_path"]`` (the mount prefix) is removed from
    ``scope["path"]`` as the ASGI spec describes; ``public_url`` must include it.
    """

    __slots__ = ("_endpoint", "_path")

    def __init__(self, endpoint: Endpoint, path: str) -> None:
        self._endpoint = endpoint
        self._path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "lifespan":
            await _lifespan(receive, send)
            return
        if kind != "http":
            return
        await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self._endpoint
        headers = _headers(scope)
        trace_id = headers.get("trace-id")
        route = self._route(scope)
        if route is None or not endpoint.secret_ok(route[0]) or route[1] not in KINDS:
            endpoint.reject("unknown callback path", trace_id=trace_id)
            await _respond(send, 404, None)
            return
        if scope.get("method") != "POST":
            await _respond(send, 405, None, extra=[(b"allow", b"POST")])
            return
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > endpoint.max_body):
            endpoint.reject("body too large", trace_id=trace_id)
            await _respond(send, 413, {"error": f"body must be at most {endpoint.max_body} bytes"})
            return
        body = await _read_capped(receive, endpoint.max_body)
        if body is None:
            endpoint.reject("body too large or request aborted", trace_id=trace_id)
            await _respond(send, 413, {"error": f"body must be at most {endpoint.max_body} bytes"})
            return
        status, payload = endpoint.handle(body, kind=route[1], trace_id=trace_id)
        await _respond(send, status, payload)

    def _route(self, scope: Scope) -> tuple[str, str] | None:
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        prefix = self._path + "/"
        if not path.startswith(prefix):
            return None
        parts = path[len(prefix) :].split("/")
        if len(parts) == 1 and parts[0]:
            return parts[0], "video"
        if len(parts) == 2 and parts[0]:
            return parts[0], parts[1]
        return None


def _headers(scope: Scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", ())
    }


async def _read_capped(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(
    send: Send,
    status: int,
    payload: dict[str, Any] | None,
    *,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = b"" if payload is None else dumps(payload)
    headers = [(b"content-length", str(len(body)).encode())]
    if payload is not None:
        headers.append((b"content-type", b"application/json"))
    headers.extend(extra or ())
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    # Mounted apps normally never see lifespan; answer it anyway when run standalone.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
