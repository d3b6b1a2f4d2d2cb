"""A small ASGI adapter so the receiver mounts into FastAPI or Starlette.

It feeds the very :class:`~minimax_async.callbacks._endpoint.Endpoint` the other
transports use, so both behave identically, and needs no ASGI framework at runtime::

    app.mount("/minimax", callbacks.asgi_app())
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from minimax_async.callbacks._endpoint import Endpoint

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

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

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
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        route = endpoint.locate(path)
        refused = endpoint.admit(route, scope.get("method", ""), trace_id)
        if refused or route is None:
            extra = [(b"allow", b"POST")] if refused == 405 else []
            await _respond(send, refused or 404, b"", extra=extra)
            return
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > endpoint.max_body):
            await _respond(send, *endpoint.oversized(trace_id))
            return
        body = await _read_capped(receive, endpoint.max_body)
        if body is None:
            await _respond(send, *endpoint.oversized(trace_id))
            return
        await _respond(send, *endpoint.answer(body, kind=route[1], trace_id=trace_id))


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
    send: Send, status: int, body: bytes, *, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
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
