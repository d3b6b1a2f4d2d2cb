"""The receiver on aiohttp: the standalone low-level server and the mountable sub-app.

The default transport (no extra needed). Both feed the shared
:class:`~minimax_async.callbacks._endpoint.Endpoint`; they only read bodies and write
replies.
"""

from __future__ import annotations

from aiohttp import web

from minimax_async.callbacks._endpoint import Endpoint

__all__ = ("build_aiohttp_app", "build_server")

_JSON = "application/json"


async def _read_capped(request: web.BaseRequest, limit: int) -> bytes | None:
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


async def _respond(
    endpoint: Endpoint, request: web.BaseRequest, route: tuple[str, str] | None
) -> web.StreamResponse:
    trace_id = request.headers.get("Trace-Id")
    refused = endpoint.admit(route, request.method, trace_id)
    if refused == 405:
        return web.Response(status=405, headers={"Allow": "POST"})
    if refused or route is None:
        return web.Response(status=404)
    declared = request.content_length
    if declared is not None and declared > endpoint.max_body:
        status, encoded = endpoint.oversized(trace_id)
        return web.Response(body=encoded, status=status, content_type=_JSON)
    if request.headers.get("Expect", "").lower() == "100-continue":
        # aiohttp's router answers this for applications; the low-level server does not,
        # and a client waiting for it (curl, for bodies over 1 KiB) would stall.
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = await _read_capped(request, endpoint.max_body)
    if body is None:
        status, encoded = endpoint.oversized(trace_id)
    else:
        status, encoded = endpoint.answer(body, kind=route[1], trace_id=trace_id)
    return web.Response(body=encoded, status=status, content_type=_JSON)


def build_aiohttp_app(endpoint: Endpoint) -> web.Application:
    """An application serving ``POST {path}/{secret}[/{kind}]``; mount it anywhere."""

    async def handle(request: web.Request) -> web.StreamResponse:
        info = request.match_info
        return await _respond(endpoint, request, (info["secret"], info.get("kind", "video")))

    app = web.Application(client_max_size=endpoint.max_body)
    # Every URL the SDK hands out has a kind, so that route is tried first.
    app.router.add_post(endpoint.path + "/{secret}/{kind}", handle)
    app.router.add_post(endpoint.path + "/{secret}", handle)
    return app


def build_server(endpoint: Endpoint) -> web.Server:
    """The standalone receiver: aiohttp's low-level server, routed by the endpoint.

    It answers exactly what :func:`build_aiohttp_app` answers, without the application
    and router machinery, which is a large part of aiohttp's cost per request (a bare
    handler served this way answers about a third more requests per second on the
    benchmark machine).
    """

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        return await _respond(endpoint, request, endpoint.locate(request.path))

    return web.Server(handle, access_log=None)
