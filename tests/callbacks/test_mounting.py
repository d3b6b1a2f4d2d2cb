"""The receiver mounted into an existing app: an aiohttp sub-app, and ASGI under FastAPI."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
import pytest
import uvicorn
from aiohttp import web
from fastapi import FastAPI

from minimax_async import AsyncMiniMax, TaskStatus
from minimax_async.callbacks import CallbackServer
from minimax_async.emulator import Emulator, EmulatorConfig
from tests.callbacks._helpers import DEADLINE, emulator_client


async def _resolve_through(cb: CallbackServer, count: int = 5) -> None:
    """Drive ``count`` emulator tasks to their end through the mounted receiver."""
    config = EmulatorConfig(time_scale=0.02, seed=9)
    async with Emulator(config=config) as emu, emulator_client(emu.base_url) as client:

        async def one() -> None:
            task_id = await client.create(cb.callback_url("video"))
            result = await cb.wait(task_id, query=client.query_for(task_id), timeout=DEADLINE)
            assert result.status is TaskStatus.SUCCESS
            assert result.file_id == emu.tasks[task_id].file_id

        async def one_v2() -> None:
            # A MiniMax-H3 task is given the receiver's /v2 route and resolved by its
            # V2-shaped pushes ({"task": {...}}) through the same mount.
            async with AsyncMiniMax(
                api_key="test-key-mount", base_url=emu.base_url, rpm=None, callbacks=cb
            ) as sdk:
                task = await sdk.video.create(model="MiniMax-H3", prompt="a mounted harbour")
                video = await task.result(timeout=DEADLINE)
            assert video.url == emu.v2_tasks[task.task_id].content_url
            assert emu.v2_tasks[task.task_id].callback_url == cb.callback_url("v2")
            assert emu.requests_to(f"/v2/query/video_generation/{task.task_id}") == []

        with anyio.fail_after(DEADLINE):
            await asyncio.gather(*(one() for _ in range(count)), one_v2())
        assert emu.requests_to("/v1/query/video_generation") == []
        assert all(p.delivered for p in emu.pushes if p.kind == "challenge")


@contextmanager
def access_log(
    caplog: pytest.LogCaptureFixture, cb: CallbackServer, name: str
) -> Iterator[list[str]]:
    """The lines the ``name`` access logger writes in the block, secret filter installed."""
    caplog.set_level(logging.INFO, logger=name)
    installed = cb.redact_access_logs()  # the one line the README asks users to add
    lines: list[str] = []
    try:
        yield lines
    finally:
        for logger in ("aiohttp.access", "uvicorn.access"):
            logging.getLogger(logger).removeFilter(installed)
        lines.extend(r.getMessage() for r in caplog.records if r.name == name)


def _secret(cb: CallbackServer) -> str:
    return cb.callback_url("video").split("/")[-2]


def assert_mounted_once_and_redacted(cb: CallbackServer, lines: list[str], text: str) -> None:
    """One ``/minimax`` in the URL (the mount point), and the secret in no log output."""
    secret = _secret(cb)
    assert urlsplit(cb.callback_url("video")).path == f"/minimax/{secret}/video"
    pushes = [line for line in lines if "POST /minimax/<secret>/video HTTP/1.1" in line]
    assert len(pushes) >= 6, lines  # the self-check's challenge and five tasks' pushes
    assert any("POST /minimax/<secret>/v2 HTTP/1.1" in line for line in lines), lines
    assert secret not in text


async def test_aiohttp_sub_application(caplog: pytest.LogCaptureFixture) -> None:
    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    parent = web.Application()
    parent.router.add_get("/health", health)
    # listen=False: no socket of its own; the user's app serves it.
    sock = _bound_socket()
    port = sock.getsockname()[1]
    cb = CallbackServer(public_url=f"http://127.0.0.1:{port}/minimax", listen=False, confirm=False)
    parent.add_subapp("/minimax", cb.aiohttp_app())
    runner = web.AppRunner(parent)  # aiohttp's access log on, as by default
    await runner.setup()
    try:
        with access_log(caplog, cb, "aiohttp.access") as lines:
            await web.SockSite(runner, sock).start()
            async with cb:
                await cb.self_check(timeout=DEADLINE)
                await _resolve_through(cb)
    finally:
        await runner.cleanup()
        sock.close()
    assert_mounted_once_and_redacted(cb, lines, caplog.text)


def _bound_socket() -> socket.socket:
    # Bound first, so the public URL (which needs the port) exists before serving.
    # Listening at once: connections made before the server accepts wait in the backlog
    # (uvicorn runs the lifespan startup before it starts accepting).
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


async def test_fastapi_mount_under_uvicorn(caplog: pytest.LogCaptureFixture) -> None:
    sock = _bound_socket()
    port = sock.getsockname()[1]
    cb = CallbackServer(public_url=f"http://127.0.0.1:{port}/minimax", listen=False, confirm=False)
    started = anyio.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The receiver's lifetime follows the application's, as a user would write it.
        async with cb:
            started.set()
            yield

    app = FastAPI(lifespan=lifespan)
    app.mount("/minimax", cb.asgi_app())
    # log_config=None: uvicorn leaves logging as configured (here, to pytest's capture).
    config = uvicorn.Config(app, log_config=None, lifespan="on", ws="none", http="h11")
    server = uvicorn.Server(config)
    with access_log(caplog, cb, "uvicorn.access") as lines:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            with anyio.fail_after(DEADLINE):
                await started.wait()
            await cb.self_check(timeout=DEADLINE)
            await _resolve_through(cb)
        finally:
            server.should_exit = True
            with anyio.fail_after(DEADLINE):
                await serving
            sock.close()
    assert not cb.running
    assert_mounted_once_and_redacted(cb, lines, caplog.text)


# -- raw ASGI, no server ----------------------------------------------------------------


class Exchange:
    """Drives one ASGI request and collects the response."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks
        self.status: int | None = None
        self.body = b""

    async def receive(self) -> dict[str, Any]:
        if not self._chunks:
            return {"type": "http.disconnect"}
        chunk = self._chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(self._chunks)}

    async def send(self, message: Any) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        else:
            self.body += message.get("body", b"")


async def call(
    cb: CallbackServer,
    path: str,
    chunks: list[bytes],
    *,
    method: str = "POST",
    root_path: str = "",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> tuple[int | None, Any]:
    scope = {
        "type": "http",
        "method": method,
        "path": root_path + path,
        "root_path": root_path,
        "headers": headers or [],
    }
    exchange = Exchange(list(chunks))
    await cb.asgi_app()(scope, exchange.receive, exchange.send)
    return exchange.status, json.loads(exchange.body) if exchange.body else None


@pytest.fixture
async def mounted() -> AsyncIterator[CallbackServer]:
    cb = CallbackServer(public_url="https://example.com/hooks", listen=False, max_body=1024)
    async with cb:
        yield cb


def _path(cb: CallbackServer, kind: str = "video") -> str:
    return cb.callback_url(kind).removeprefix("https://example.com/hooks")  # type: ignore[arg-type]


async def test_asgi_challenge_in_chunks_and_under_a_root_path(mounted: CallbackServer) -> None:
    body = json.dumps({"challenge": "abc"}).encode()
    assert await call(mounted, _path(mounted), [body[:5], body[5:]]) == (200, {"challenge": "abc"})
    answer = await call(mounted, _path(mounted, "agent"), [body], root_path="/hooks")
    assert answer == (200, {"challenge": "abc"})


async def test_asgi_refusals(mounted: CallbackServer) -> None:
    path = _path(mounted)
    wrong = path.replace(path.split("/")[-2], "y" * 32)
    assert (await call(mounted, wrong, [b"{}"]))[0] == 404
    assert (await call(mounted, "/elsewhere", [b"{}"]))[0] == 404
    assert (await call(mounted, path, [b""], method="GET"))[0] == 405
    big = [(b"content-length", b"5000")]
    assert (await call(mounted, path, [b"{}"], headers=big))[0] == 413
    assert (await call(mounted, path, [b" " * 600, b" " * 600]))[0] == 413
    assert (await call(mounted, path, []))[0] == 413  # client went away mid-body
    status, answer = await call(mounted, path, [b"not json"])
    assert status == 400
    assert "JSON object" in answer["error"]


async def test_asgi_answers_lifespan_when_run_standalone(mounted: CallbackServer) -> None:
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: Any) -> None:
        sent.append(message["type"])

    await mounted.asgi_app()({"type": "lifespan"}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
