"""Test helpers: a thin HTTP caller for the emulator and a real callback receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import anyio
from aiohttp import web

from tests._serve import serve_app

__all__ = ("Caller", "Receiver", "caller", "receiver")

DEADLINE = 30.0  # generous: a slow, loaded 2-core machine must not flake


class Caller:
    """Sends requests to an emulator as a client would, returning (HTTP status, JSON)."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url

    async def post(self, path: str, body: Any = None, *, data: bytes | None = None) -> Any:
        kwargs: dict[str, Any] = {"data": data} if data is not None else {"json": body}
        async with self.http.post(self.base_url + path, **kwargs) as resp:
            assert resp.status == 200, await resp.text()
            assert resp.headers.get("Trace-Id")
            return await resp.json()

    async def get(self, path: str, **params: str) -> Any:
        async with self.http.get(self.base_url + path, params=params) as resp:
            assert resp.status == 200, await resp.text()
            assert resp.headers.get("Trace-Id")
            return await resp.json()

    async def create(self, **body: Any) -> Any:
        return await self.post("/v1/video_generation", body)

    async def create_agent(self, **body: Any) -> Any:
        return await self.post("/v1/video_template_generation", body)

    async def query(self, task_id: str) -> Any:
        return await self.get("/v1/query/video_generation", task_id=task_id)

    async def query_agent(self, task_id: str) -> Any:
        return await self.get("/v1/query/video_template_generation", task_id=task_id)

    async def retrieve(self, file_id: str) -> Any:
        return await self.get("/v1/files/retrieve", file_id=file_id)


@asynccontextmanager
async def caller(base_url: str, key: str | None) -> AsyncIterator[Caller]:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    async with aiohttp.ClientSession(headers=headers) as http:
        yield Caller(http, base_url)


class Receiver:
    """A real aiohttp callback receiver on loopback, whose behaviour tests choose.

    ``mode``: "echo" (answer the challenge), "wrong" (echo another value), "hang"
    (never answer until the test ends), "error" (HTTP 500). ``refuse_pushes`` makes
    every status push answer HTTP 500 (after recording it).
    """

    def __init__(self) -> None:
        self.mode = "echo"
        self.refuse_pushes = False
        self.challenges: list[str] = []
        self.pushes: list[dict[str, Any]] = []
        self.url = ""
        self._changed = asyncio.Condition()
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "challenge" in body:
            self.challenges.append(body["challenge"])
            if self.mode == "hang":
                await self.release.wait()
            if self.mode == "error":
                return web.json_response({"error": "boom"}, status=500)
            value = "not-it" if self.mode == "wrong" else body["challenge"]
            return web.json_response({"challenge": value})
        async with self._changed:
            self.pushes.append(body)
            self._changed.notify_all()
        if self.refuse_pushes:
            return web.json_response({"error": "receiver is down"}, status=500)
        return web.json_response({"status": "success"})

    async def wait_for(self, count: int) -> list[dict[str, Any]]:
        """Wait until ``count`` pushes have arrived."""
        with anyio.fail_after(DEADLINE):
            async with self._changed:
                while len(self.pushes) < count:
                    await self._changed.wait()
        return self.pushes


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    app = web.Application()
    app.router.add_post("/hook", recv.handle)
    async with serve_app(app, shutdown_timeout=1.0) as url:
        recv.url = f"{url}/hook"
        try:
            yield recv
        finally:
            recv.release.set()
