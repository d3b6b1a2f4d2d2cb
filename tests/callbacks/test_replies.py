"""What the receiver answers on the wire: the documented bodies, and a 400 (never a 500)
with a JSON reason for bodies that parse oddly."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import anyio
import pytest

from minimax_async.callbacks import CallbackServer
from minimax_async.models import TaskSnapshot

SECRET = "replies-secret-01234567890"


@pytest.fixture
async def server() -> AsyncIterator[CallbackServer]:
    async with CallbackServer(secret=SECRET, confirm=False) as running:
        yield running


async def _post(server: CallbackServer, body: bytes) -> tuple[int, str, bytes]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            server.callback_url("video"),
            data=body,
            headers={"Content-Type": "application/json"},
        ) as response,
    ):
        return response.status, response.content_type, await response.read()


async def test_a_push_is_answered_with_the_documented_success_body(
    server: CallbackServer,
) -> None:
    body = b'{"task_id": "106916112212032", "status": "processing", "base_resp": {}}'
    status, content_type, answer = await _post(server, body)
    assert status == 200
    assert content_type == "application/json"
    assert json.loads(answer) == {"status": "success"}


async def test_a_challenge_is_echoed_as_json(server: CallbackServer) -> None:
    status, content_type, answer = await _post(server, b'{"challenge": "a\\u00e9b"}')
    assert (status, content_type) == (200, "application/json")
    assert json.loads(answer) == {"challenge": "a\u00e9b"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"challenge": "\\ud800"}',  # a lone surrogate cannot be echoed as UTF-8
        b"NaN",
        b'{"task_id": "1", "status": 1e400}',
        b"\xff\xfe",
    ],
)
async def test_odd_bodies_get_a_400_with_a_json_reason(server: CallbackServer, body: bytes) -> None:
    status, content_type, answer = await _post(server, body)
    assert status == 400
    assert content_type == "application/json"
    assert "error" in json.loads(answer)


async def test_a_terminal_push_resolves_its_waiter(
    server: CallbackServer,
) -> None:
    async def never() -> TaskSnapshot:
        raise AssertionError("confirmation is off: no query expected")

    async with anyio.create_task_group() as group:
        results: list[TaskSnapshot] = []

        async def wait() -> None:
            results.append(await server.wait("106916112212033", query=never, timeout=30))

        group.start_soon(wait)
        await anyio.wait_all_tasks_blocked()
        body = b'{"task_id": "106916112212033", "status": "success", "file_id": "7"}'
        status, _, _ = await _post(server, body)
    assert status == 200
    assert results[0].file_id == "7"
