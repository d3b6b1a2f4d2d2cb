"""The receiver's lean reply path (pre-encoded answers, orjson when installed).

Written with the throughput benchmark: these pin down that the faster path answers
exactly what the plain one did, and that odd bodies still get a 400, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anyio
import pytest

from minimax_async.callbacks import CallbackServer
from minimax_async.callbacks._endpoint import dumps, loads
from minimax_async.models import TaskSnapshot

SECRET = "fastpath-secret-0123456789"


@pytest.fixture
async def server(receiver_http: Any) -> AsyncIterator[CallbackServer]:
    async with CallbackServer(secret=SECRET, confirm=False, http=receiver_http) as running:
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


def test_the_codec_round_trips_like_the_json_module() -> None:
    payload = {"challenge": "ünïcode-✓", "n": 18446744073709551615 >> 1, "ok": True}
    assert json.loads(dumps(payload)) == payload
    assert loads(json.dumps(payload).encode()) == payload


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


async def test_a_terminal_push_resolves_its_waiter_through_the_fast_path(
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
