"""Retries, the ambiguous create, error families: against scripted in-process servers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from minimax_async import (
    AmbiguousCreateError,
    APIConnectionError,
    APITimeoutError,
    AsyncMiniMax,
    AuthenticationError,
    HTTPStatusError,
    InvalidRequestError,
    MiniMaxError,
    QuotaError,
    RateLimitError,
    ServerError,
    TaskFailedError,
    TransportError,
    UnexpectedResponseError,
    no_backoff,
)
from tests.client._servers import (
    Handler,
    api_error,
    closed_port,
    hang_until,
    json_answer,
    ok_create,
    raw_answer,
    reset_connection,
    scripted_server,
)

KEY = "sk-transport-secret-9f8e7d"
CREATE = "/v1/video_generation"
QUERY = "/v1/query/video_generation"
RUNNING = {"task_id": "42", "status": "Processing", "base_resp": {"status_code": 0}}


@asynccontextmanager
async def client_for(url: str, **options: Any) -> AsyncIterator[AsyncMiniMax]:
    settings: dict[str, Any] = {"api_key": KEY, "base_url": url, "rpm": None, "max_retries": 2}
    settings.update(options)
    async with AsyncMiniMax(**settings) as client:
        yield client


async def create(client: AsyncMiniMax) -> str:
    task = await client.video.create(model="MiniMax-Hailuo-02", prompt="a calm sea")
    return task.task_id


# --- reads are retried ---------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        pytest.param(raw_answer("<html>bad gateway</html>", status=502), id="http-502"),
        pytest.param(api_error(1002, "rate limit"), id="base_resp-1002"),
        pytest.param(api_error(1000, "unknown error"), id="base_resp-1000"),
        pytest.param(api_error(1001, "request timeout"), id="base_resp-1001"),
        pytest.param(raw_answer("not json at all"), id="garbage-body"),
    ],
)
async def test_query_retries_transient_failures_then_succeeds(first: Handler) -> None:
    async with scripted_server({QUERY: [first, json_answer(RUNNING)]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                snap = await client.video.query("42")
    assert snap.status.value == "Processing"
    assert server.hits[QUERY] == 2


async def test_query_gives_up_after_max_retries() -> None:
    async with scripted_server({QUERY: [api_error(1000, "unknown error")]}) as server:
        with no_backoff():
            async with client_for(server.url, max_retries=3) as client:
                with pytest.raises(ServerError) as caught:
                    await client.video.query("42")
    assert server.hits[QUERY] == 4  # the first try and three retries
    assert caught.value.code == 1000
    assert caught.value.status_code == 200  # V1 says no inside an HTTP 200
    assert caught.value.trace_id == "trace-xyz"


@pytest.mark.parametrize(
    ("code", "family"),
    [(1004, AuthenticationError), (1008, QuotaError), (2013, InvalidRequestError)],
)
async def test_query_permanent_errors_raise_at_once(code: int, family: type[Exception]) -> None:
    async with (
        scripted_server({QUERY: [api_error(code, "nope")]}) as server,
        client_for(server.url) as client,
    ):
        with pytest.raises(family) as caught:
            await client.video.query("42")
    assert server.hits[QUERY] == 1
    assert "nope" in str(caught.value)
    assert "trace-xyz" in str(caught.value)


async def test_query_http_404_is_not_retried() -> None:
    async with (
        scripted_server({QUERY: [raw_answer("404 page not found", status=404)]}) as server,
        client_for(server.url) as client,
    ):
        with pytest.raises(HTTPStatusError) as caught:
            await client.video.query("42")
    assert caught.value.status_code == 404
    assert server.hits[QUERY] == 1


async def test_read_connection_refused_is_retried_then_raised() -> None:
    with no_backoff():
        async with client_for(f"http://127.0.0.1:{closed_port()}") as client:
            with pytest.raises(APIConnectionError):
                await client.video.query("42")


async def test_read_timeout_raises_api_timeout_error() -> None:
    release = asyncio.Event()
    async with scripted_server({QUERY: [hang_until(release)]}) as server:
        with no_backoff():
            async with client_for(server.url, timeout=0.3, max_retries=1) as client:
                with pytest.raises(APITimeoutError):
                    await client.video.query("42")
        release.set()
    assert server.hits[QUERY] == 2


# --- the billed create ---------------------------------------------------------------


async def test_create_succeeds_with_exact_headers_and_body() -> None:
    async with (
        scripted_server({CREATE: [json_answer(ok_create("777"))]}) as server,
        client_for(server.url) as client,
    ):
        assert await create(client) == "777"
    assert server.bodies == [{"model": "MiniMax-Hailuo-02", "prompt": "a calm sea"}]
    assert server.headers["Authorization"] == f"Bearer {KEY}"
    assert server.headers["Content-Type"] == "application/json"
    assert server.headers["User-Agent"].startswith("minimax-async/")
    assert "GroupId" not in server.headers


async def test_create_resent_after_rate_limit_answer() -> None:
    script = {CREATE: [api_error(1002, "rate limit"), json_answer(ok_create("888"))]}
    async with scripted_server(script) as server:
        with no_backoff():
            async with client_for(server.url, rpm=600) as client:
                assert await create(client) == "888"
    assert server.hits[CREATE] == 2


async def test_create_rate_limit_exhausted_raises_rate_limit_error() -> None:
    async with scripted_server({CREATE: [api_error(1002, "rate limit")]}) as server:
        with no_backoff():
            async with client_for(server.url, max_retries=1) as client:
                with pytest.raises(RateLimitError):
                    await create(client)
    assert server.hits[CREATE] == 2


async def test_create_connection_refused_is_retried_and_never_ambiguous() -> None:
    with no_backoff():
        async with client_for(f"http://127.0.0.1:{closed_port()}") as client:
            with pytest.raises(APIConnectionError) as caught:
                await create(client)
    assert not isinstance(caught.value, AmbiguousCreateError)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(raw_answer("<html>503</html>", status=503), id="http-503"),
        pytest.param(raw_answer("{{{ not json"), id="garbage-body"),
        pytest.param(json_answer({"base_resp": {"status_code": 0}}), id="no-task-id"),
    ],
)
async def test_create_ambiguous_answers_are_never_resent(answer: Handler) -> None:
    async with scripted_server({CREATE: [answer]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                with pytest.raises(AmbiguousCreateError) as caught:
                    await create(client)
    assert server.hits[CREATE] == 1
    assert caught.value.request == {"model": "MiniMax-Hailuo-02", "prompt": "a calm sea"}
    assert len(caught.value.client_key) == 32


async def test_create_timeout_after_sending_is_ambiguous_and_sent_once() -> None:
    release = asyncio.Event()
    async with scripted_server({CREATE: [hang_until(release)]}) as server:
        with no_backoff():
            async with client_for(server.url, timeout=0.3) as client:
                with pytest.raises(AmbiguousCreateError) as caught:
                    await create(client)
        release.set()
    assert server.hits[CREATE] == 1
    assert isinstance(caught.value.__cause__, APITimeoutError)


async def test_create_connection_reset_is_ambiguous_and_sent_once() -> None:
    release = asyncio.Event()
    async with scripted_server({CREATE: [reset_connection(release)]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                with pytest.raises(AmbiguousCreateError) as caught:
                    await create(client)
        release.set()
    assert server.hits[CREATE] == 1
    assert isinstance(caught.value.__cause__, TransportError)


@pytest.mark.parametrize(
    ("code", "family"),
    [(1004, AuthenticationError), (1008, QuotaError), (2013, InvalidRequestError)],
)
async def test_create_refusals_raise_their_family_once(code: int, family: type[Exception]) -> None:
    async with (
        scripted_server({CREATE: [api_error(code, "refused")]}) as server,
        client_for(server.url) as client,
    ):
        with pytest.raises(family):
            await create(client)
    assert server.hits[CREATE] == 1


async def test_create_server_error_code_is_not_resent() -> None:
    async with scripted_server({CREATE: [api_error(1000, "unknown error")]}) as server:
        with no_backoff():
            async with client_for(server.url) as client:
                with pytest.raises(ServerError):
                    await create(client)
    assert server.hits[CREATE] == 1


# --- the key never leaks ---------------------------------------------------------------


async def test_api_key_absent_from_repr_logs_and_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="minimax_async")
    messages: list[str] = []
    script = {QUERY: [api_error(1004, "not authorized")], CREATE: [raw_answer("x", status=502)]}
    async with scripted_server(script) as server, client_for(server.url) as client:
        messages += [repr(client), repr(client.config), str(client.config)]
        for call in (client.video.query("42"), create(client)):
            with pytest.raises(MiniMaxError) as caught:
                await call
            messages += [str(caught.value), repr(caught.value)]
    assert caplog.records, "DEBUG logging should have recorded the requests"
    messages += [record.getMessage() for record in caplog.records]
    assert all(KEY not in text for text in messages)


async def test_borrowed_session_is_used_and_left_open() -> None:
    async with (
        scripted_server({QUERY: [json_answer(RUNNING)]}) as server,
        aiohttp.ClientSession() as session,
    ):
        async with client_for(server.url, session=session) as client:
            await client.video.query("42")
        assert not session.closed
        assert server.hits[QUERY] == 1


@pytest.mark.parametrize("kind", ["video", "agent"])
async def test_a_success_without_its_result_field_is_not_a_task_failure(kind: str) -> None:
    # Status Success with no file_id (or video_url) is a malformed answer: reporting the
    # task as failed would tell the user a paid render was lost when it was not.
    path = QUERY if kind == "video" else "/v1/query/video_template_generation"
    success = {
        "task_id": "42",
        "status": "Success",
        "base_resp": {"status_code": 0, "status_msg": "success"},
    }
    async with (
        scripted_server({path: [json_answer(success)]}) as server,
        client_for(server.url) as client,
    ):
        task = client.task_from_dict({"kind": kind, "task_id": "42"})
        with pytest.raises(UnexpectedResponseError, match="Success but has no") as caught:
            await task.result(timeout=30)
    assert not isinstance(caught.value, TaskFailedError)
