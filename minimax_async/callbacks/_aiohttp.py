"""The receiver as an aiohttp application: mounted with ``add_subapp``, or run standalone.

aiohttp parses HTTP, routes and writes replies; the shared
:class:`~minimax_async.callbacks._endpoint.Endpoint` decides every answer. The routes
take any method and any secret so the endpoint answers 404 and 405 exactly as the ASGI
adapter does, and the expect handler admits a request before aiohttp sends
``100 Continue``, so a stranger is refused before sending a body.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_urldispatcher import _default_expect_handler

from minimax_async.callbacks._endpoint import Endpoint

__all__ = ("build_aiohttp_app",)

_JSON = "application/json"


def _refusal(endpoint: Endpoint, request: web.Request) -> web.Response | None:
    """The answer decided from the head alone (404, 405, 413), or None to read the body."""
    info = request.match_info
    trace_id = request.headers.get("Trace-Id")
    refused = endpoint.admit((info["secret"], info.get("kind", "video")), request.method, trace_id)
    if refused == 405:
        return web.Response(status=405, headers={"Allow": "POST"})
    if refused:
        return web.Response(status=refused)
    declared = request.content_length
    if declared is not None and declared > endpoint.max_body:
        status, encoded = endpoint.oversized(trace_id)
        return web.Response(body=encoded, status=status, content_type=_JSON)
    return None


async def _read_capped(request: web.Request, limit: int) -> bytes | None:
    """The body, or None if it is larger than ``limit`` bytes (never buffered whole)."""
    if request.content_length is not None:
        # aiohttp reads exactly the declared length, which was checked against the cap.
        return await request.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def build_aiohttp_app(endpoint: Endpoint) -> web.Application:
    """An application serving ``POST {path}/{secret}[/{kind}]``; mount it anywhere."""

    async def expect(request: web.Request) -> web.StreamResponse | None:
        refusal = _refusal(endpoint, request)
        if refusal is None:
            # aiohttp's own handler sends the interim answer (and resets its byte count).
            await _default_expect_handler(request)
        return refusal

    async def handle(request: web.Request) -> web.StreamResponse:
        refusal = _refusal(endpoint, request)
        if refusal is not None:
            return refusal
        trace_id = request.headers.get("Trace-Id")
        body = await _read_capped(request, endpoint.max_body)
        if body is None:
            status, encoded = endpoint.oversized(trace_id)
        else:
            kind = request.match_info.get("kind", "video")
            status, encoded = endpoint.answer(body, kind=kind, trace_id=trace_id)
        return web.Response(body=encoded, status=status, content_type=_JSON)

    app = web.Application(client_max_size=endpoint.max_body)
    # Every URL the SDK hands out has a kind, so that route is tried first.
    for pattern in (endpoint.path + "/{secret}/{kind}", endpoint.path + "/{secret}"):
        app.router.add_route("*", pattern, handle, expect_handler=expect)
    return app
