"""Small in-process aiohttp servers whose misbehaviour each transport test scripts."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests._serve import serve_app

__all__ = (
    "Scripted",
    "api_error",
    "closed_port",
    "hang_until",
    "json_answer",
    "ok_create",
    "raw_answer",
    "reset_connection",
    "scripted_server",
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ok_create(task_id: str = "123456789012345678") -> dict[str, Any]:
    return {"task_id": task_id, "base_resp": {"status_code": 0, "status_msg": "success"}}


@dataclass
class Scripted:
    """Answers request number ``n`` to a path with ``script[n]`` (the last one repeats).

    ``hits`` counts requests per path (counted when they arrive, before any answer),
    ``bodies`` keeps the JSON bodies received, ``headers`` the last request's headers.
    ``release`` lets a hanging handler finish when the test ends.
    """

    script: dict[str, list[Handler]]
    url: str = ""
    hits: dict[str, int] = field(default_factory=dict)
    bodies: list[Any] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        count = self.hits.get(path, 0)
        self.hits[path] = count + 1
        self.headers = dict(request.headers)
        if request.method == "POST" and request.content_type == "application/json":
            self.bodies.append(await request.json())
        handlers = self.script[path]
        return await handlers[min(count, len(handlers) - 1)](request)


@asynccontextmanager
async def scripted_server(script: dict[str, list[Handler]]) -> AsyncIterator[Scripted]:
    server = Scripted(script)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    async with serve_app(app, shutdown_timeout=0.5) as url:
        server.url = url
        try:
            yield server
        finally:
            server.release.set()


def closed_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def json_answer(body: Any, *, status: int = 200, trace: str = "trace-xyz") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(body, status=status, headers={"Trace-Id": trace})

    return handler


def raw_answer(text: str, *, status: int = 200) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=text, status=status, content_type="text/html")

    return handler


def api_error(code: int, msg: str = "error") -> Handler:
    return json_answer({"base_resp": {"status_code": code, "status_msg": msg}})


def hang_until(event: asyncio.Event) -> Handler:
    """Read the request, then answer nothing until ``event`` (the client times out)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        await event.wait()
        return web.json_response(ok_create())

    return handler


def reset_connection(event: asyncio.Event) -> Handler:
    """Read the request, then drop the connection without an answer."""

    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        transport = request.transport
        assert transport is not None
        transport.abort()
        await event.wait()
        return web.Response()

    return handler
