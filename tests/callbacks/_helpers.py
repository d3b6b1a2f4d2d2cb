"""Shared helpers for the receiver tests: a poster, a scripted truth, an emulator client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from minimax_async._exceptions import api_error_for
from minimax_async._status import TaskStatus
from minimax_async.callbacks import CallbackEvent, CallbackServer
from minimax_async.models import TaskSnapshot

__all__ = (
    "DEADLINE",
    "EmulatorClient",
    "Events",
    "Truth",
    "emulator_client",
    "post_json",
    "post_raw",
)

DEADLINE = 30.0  # generous: a slow, loaded 2-core machine must not flake


async def post_raw(
    http: aiohttp.ClientSession, url: str, data: bytes, **kwargs: Any
) -> tuple[int, Any]:
    """POST bytes; return (HTTP status, parsed JSON or None)."""
    async with http.post(url, data=data, **kwargs) as response:
        text = await response.read()
        try:
            payload = await response.json(content_type=None) if text else None
        except ValueError:
            payload = None
        return response.status, payload


async def post_json(http: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, Any]:
    async with http.post(url, json=body) as response:
        return response.status, await response.json(content_type=None)


def push(task_id: str, status: str, **extra: Any) -> dict[str, Any]:
    """A push body shaped as MiniMax documents it."""
    return {
        "task_id": task_id,
        "status": status,
        "base_resp": {"status_code": 0, "status_msg": "success"},
        **extra,
    }


class Truth:
    """What the (scripted) MiniMax query says about one task, with a count of queries.

    ``reached`` fires after each query, so tests wait on queries instead of sleeping.
    """

    def __init__(self, task_id: str, status: TaskStatus = TaskStatus.PROCESSING) -> None:
        self.task_id = task_id
        self.status = status
        self.file_id: str | None = None
        self.errors: list[BaseException] = []
        self.queries = 0
        self._changed = asyncio.Condition()

    def finish(self, file_id: str = "9001") -> None:
        self.status = TaskStatus.SUCCESS
        self.file_id = file_id

    async def query(self) -> TaskSnapshot:
        # The answer is fixed before anyone hears of the query, so a test reacting to
        # ``wait_queries`` cannot change what this query returns.
        error = self.errors.pop(0) if self.errors else None
        body: dict[str, Any] = {"task_id": self.task_id, "status": self.status.value}
        if self.status is TaskStatus.SUCCESS:
            body.update(file_id=self.file_id, video_width=1366, video_height=768)
        self.queries += 1
        async with self._changed:
            self._changed.notify_all()
        if error is not None:
            raise error
        return TaskSnapshot.model_validate(body)

    async def wait_queries(self, count: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.queries >= count)


class Events:
    """Records every lifecycle event of a server and lets tests wait for one."""

    def __init__(self, server: CallbackServer) -> None:
        self.items: list[CallbackEvent] = []
        self._changed = asyncio.Event()
        server.subscribe(self._on_event)

    def _on_event(self, event: CallbackEvent) -> None:
        self.items.append(event)
        self._changed.set()

    def kinds(self, task_id: str | None = None) -> list[str]:
        return [e.kind for e in self.items if task_id is None or e.task_id == task_id]

    async def wait_for(self, kind: str, count: int = 1) -> None:
        while sum(1 for e in self.items if e.kind == kind) < count:
            self._changed.clear()
            await self._changed.wait()


class EmulatorClient:
    """A few lines of aiohttp against the emulator, standing in for AsyncMiniMax."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url

    async def create(self, callback_url: str, prompt: str = "a cat") -> str:
        body = {"model": "MiniMax-Hailuo-2.3", "prompt": prompt, "callback_url": callback_url}
        return await self._create("/v1/video_generation", body)

    async def create_agent(self, callback_url: str) -> str:
        body = {
            "template_id": "394514820878671878",
            "text_inputs": [{"value": "x"}],
            "callback_url": callback_url,
        }
        return await self._create("/v1/video_template_generation", body)

    async def _create(self, path: str, body: dict[str, Any]) -> str:
        async with self.http.post(self.base_url + path, json=body) as response:
            answer = await response.json()
        code = answer["base_resp"]["status_code"]
        assert code == 0, answer
        task_id = answer["task_id"]
        assert isinstance(task_id, str)
        return task_id

    def query_for(self, task_id: str, *, agent: bool = False) -> Any:
        path = "/v1/query/video_template_generation" if agent else "/v1/query/video_generation"

        async def query() -> TaskSnapshot:
            url = self.base_url + path
            async with self.http.get(url, params={"task_id": task_id}) as response:
                trace = response.headers.get("Trace-Id")
                answer = await response.json()
            base = answer.get("base_resp") or {}
            # A failed task answers its failure code with status Fail: that is a result.
            if base.get("status_code", 0) != 0 and TaskStatus.parse(answer.get("status")) not in (
                TaskStatus.FAIL,
                TaskStatus.SUCCESS,
            ):
                raise api_error_for(base["status_code"], base.get("status_msg", ""), trace_id=trace)
            return TaskSnapshot.model_validate(answer)

        return query


@asynccontextmanager
async def emulator_client(base_url: str) -> AsyncIterator[EmulatorClient]:
    headers = {"Authorization": "Bearer test-key-callbacks"}
    async with aiohttp.ClientSession(headers=headers) as http:
        yield EmulatorClient(http, base_url)
