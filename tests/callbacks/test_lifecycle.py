"""Pushes, confirmation, watchdog polling, exactly-once delivery, detach and shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import anyio
import pytest

from minimax_async import (
    AuthenticationError,
    ClosedError,
    InvalidRequestError,
    RateLimitError,
    TaskStatus,
    TaskTimeoutError,
)
from minimax_async.callbacks import CallbackServer
from minimax_async.models import TaskSnapshot
from tests.callbacks._helpers import DEADLINE, Events, Truth, post_json, push


@pytest.fixture
async def confirming() -> AsyncIterator[CallbackServer]:
    """Confirmation on, watchdog quiet period long enough never to fire by itself."""
    async with CallbackServer(confirm=True, quiet_period=600.0) as callbacks:
        yield callbacks


def _start_wait(server: CallbackServer, truth: Truth) -> asyncio.Task[TaskSnapshot]:
    return asyncio.create_task(server.wait(truth.task_id, query=truth.query, timeout=DEADLINE))


async def _registered(events: Events, count: int = 1) -> None:
    with anyio.fail_after(DEADLINE):
        await events.wait_for("registered", count)


async def test_a_push_alone_resolves_when_confirmation_is_off(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    events = Events(server)
    truth = Truth("100")
    waiter = _start_wait(server, truth)
    await _registered(events)
    url = server.callback_url("video")
    assert (await post_json(http, url, push("100", "processing")))[0] == 200
    assert (await post_json(http, url, push("100", "success", file_id="555")))[0] == 200
    with anyio.fail_after(DEADLINE):
        result = await waiter
    assert result.status is TaskStatus.SUCCESS
    assert result.file_id == "555"
    assert result.video_width is None  # pushes carry no size; confirmation would add it
    assert truth.queries == 0


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("success", TaskStatus.SUCCESS),
        ("Success", TaskStatus.SUCCESS),
        ("SUCCESS", TaskStatus.SUCCESS),
        ("failed", TaskStatus.FAIL),
        ("Fail", TaskStatus.FAIL),
        ("Failed", TaskStatus.FAIL),
    ],
)
async def test_every_terminal_spelling_is_understood(
    server: CallbackServer, http: aiohttp.ClientSession, raw: str, status: TaskStatus
) -> None:
    truth = Truth("101")
    waiter = _start_wait(server, truth)
    await post_json(http, server.callback_url("video"), push("101", raw, file_id="1"))
    with anyio.fail_after(DEADLINE):
        result = await waiter
    assert result.status is status
    assert result.raw_status == raw


async def test_a_push_before_registration_is_kept_and_delivered(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    url = server.callback_url("video")
    await post_json(http, url, push("102", "success", file_id="9"))
    truth = Truth("102")
    with anyio.fail_after(DEADLINE):
        result = await server.wait("102", query=truth.query)
    assert result.file_id == "9"
    assert truth.queries == 0


async def test_duplicates_backward_moves_and_late_pushes_are_harmless(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    events = Events(server)
    truth = Truth("103", TaskStatus.PREPARING)
    updates: list[str] = []
    first = asyncio.Event()

    async def watch() -> None:
        async for snap in server.updates("103", query=truth.query):
            updates.append(snap.status.value)
            first.set()

    watcher = asyncio.create_task(watch())
    waiter = _start_wait(server, truth)
    await _registered(events)
    with anyio.fail_after(DEADLINE):
        await first.wait()  # the current status, asked for at once
    url = server.callback_url("video")
    for body in (
        push("103", "queueing"),
        push("103", "processing"),
        push("103", "processing"),  # duplicate
        push("103", "queueing"),  # backward
        push("103", "success", file_id="1"),
        push("103", "success", file_id="1"),  # duplicate terminal
        push("103", "failed"),  # contradicting, after the result
        push("103", "processing"),  # backward after the result
    ):
        status, answer = await post_json(http, url, body)
        assert (status, answer) == (200, {"status": "success"})
    with anyio.fail_after(DEADLINE):
        result = await waiter
        await watcher
    assert result.status is TaskStatus.SUCCESS
    assert result.file_id == "1"
    assert updates == ["Preparing", "Queueing", "Processing", "Success"]
    assert truth.queries == 1  # only the first, for the current status
    assert events.kinds("103").count("completed") == 1
    assert events.kinds("103").count("push_ignored") == 5


async def test_a_lying_terminal_push_cannot_resolve_when_confirming(
    confirming: CallbackServer, http: aiohttp.ClientSession
) -> None:
    truth = Truth("104", TaskStatus.PROCESSING)
    waiter = _start_wait(confirming, truth)
    url = confirming.callback_url("video")
    await post_json(http, url, push("104", "success", file_id="forged"))
    with anyio.fail_after(DEADLINE):
        await truth.wait_queries(1)
    assert not waiter.done()
    # The real end, announced by a real push: confirmed by a query that now says Success.
    truth.finish(file_id="real")
    await post_json(http, url, push("104", "success", file_id="real"))
    with anyio.fail_after(DEADLINE):
        result = await waiter
    assert result.file_id == "real"
    assert (result.video_width, result.video_height) == (1366, 768)  # filled by the query


async def test_a_lying_failure_cannot_fail_a_task_that_succeeds(
    confirming: CallbackServer, http: aiohttp.ClientSession
) -> None:
    truth = Truth("105")
    truth.finish(file_id="real")
    waiter = _start_wait(confirming, truth)
    await post_json(http, confirming.callback_url("video"), push("105", "failed"))
    with anyio.fail_after(DEADLINE):
        result = await waiter
    assert result.status is TaskStatus.SUCCESS
    assert result.file_id == "real"


async def test_the_watchdog_polls_a_quiet_task_with_backoff_until_it_ends() -> None:
    async with CallbackServer(quiet_period=0.01, max_poll_interval=0.05) as server:
        events = Events(server)
        truth = Truth("106")
        waiter = _start_wait(server, truth)
        with anyio.fail_after(DEADLINE):
            await truth.wait_queries(3)
        truth.finish()
        with anyio.fail_after(DEADLINE):
            result = await waiter
        assert result.status is TaskStatus.SUCCESS
        assert events.kinds("106").count("completed") == 1
        assert "poll" in events.kinds("106")


async def test_the_watchdog_survives_transient_query_errors() -> None:
    async with CallbackServer(quiet_period=0.01, max_poll_interval=0.02) as server:
        events = Events(server)
        truth = Truth("107")
        truth.finish()
        truth.errors = [
            RateLimitError("slow down", code=1002),
            OSError("connection reset"),
            TimeoutError(),
        ]
        with anyio.fail_after(DEADLINE):
            result = await server.wait("107", query=truth.query)
        assert result.status is TaskStatus.SUCCESS
        assert events.kinds("107").count("poll_error") == 3


@pytest.mark.parametrize(
    "error",
    [
        AuthenticationError("bad key", code=1004),
        InvalidRequestError("invalid task_id", code=2013),
        ValueError("a bug in the query function"),
    ],
)
async def test_a_permanent_query_error_fails_the_waiter(error: Exception) -> None:
    async with CallbackServer(quiet_period=0.01) as server:
        truth = Truth("108")
        truth.errors = [error]
        with anyio.fail_after(DEADLINE), pytest.raises(type(error)):
            await server.wait("108", query=truth.query)


async def test_a_timeout_raises_task_timeout_and_the_task_can_be_reattached(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    truth = Truth("109")
    with pytest.raises(TaskTimeoutError) as caught:
        await server.wait("109", query=truth.query, timeout=0.01)
    assert caught.value.task_id == "109"
    await post_json(http, server.callback_url("video"), push("109", "success", file_id="3"))
    with anyio.fail_after(DEADLINE):
        result = await server.wait("109", query=truth.query)
    assert result.file_id == "3"


async def test_cancelling_a_wait_detaches_only_that_waiter(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    events = Events(server)
    truth = Truth("110")
    first = _start_wait(server, truth)
    second = _start_wait(server, truth)
    await _registered(events)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert "detached" not in events.kinds("110")  # the second waiter is still there
    await post_json(http, server.callback_url("video"), push("110", "success", file_id="4"))
    with anyio.fail_after(DEADLINE):
        result = await second
    assert result.file_id == "4"


async def test_a_finished_task_answers_a_later_wait_at_once(
    server: CallbackServer, http: aiohttp.ClientSession
) -> None:
    truth = Truth("111")
    waiter = _start_wait(server, truth)
    await post_json(http, server.callback_url("video"), push("111", "success", file_id="5"))
    with anyio.fail_after(DEADLINE):
        first = await waiter
        again = await server.wait("111", query=truth.query)
    assert again is first


async def test_closing_fails_pending_waiters_with_a_clear_error(
    http: aiohttp.ClientSession,
) -> None:
    server = CallbackServer(confirm=False)
    await server.start()
    events = Events(server)
    truth = Truth("112")
    waiter = _start_wait(server, truth)
    await _registered(events)

    async def follow() -> None:
        async for _ in server.updates("112", query=truth.query):
            pass
        raise AssertionError("updates ended without a terminal snapshot or an error")

    watcher = asyncio.create_task(follow())
    await server.aclose()
    assert not server.running
    with anyio.fail_after(DEADLINE), pytest.raises(ClosedError, match="112 is still running"):
        await waiter
    with anyio.fail_after(DEADLINE), pytest.raises(ClosedError):
        await watcher
    with pytest.raises(ClosedError):
        await server.wait("113", query=truth.query)
    with pytest.raises(ClosedError):
        await server.start()


async def test_a_raising_hook_does_not_break_the_receiver(
    server: CallbackServer, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("hook bug")

    server.subscribe(broken)
    events = Events(server)
    truth = Truth("114")
    waiter = _start_wait(server, truth)
    status, _ = await post_json(
        http, server.callback_url("video"), push("114", "success", file_id="6")
    )
    assert status == 200
    with anyio.fail_after(DEADLINE):
        assert (await waiter).file_id == "6"
    assert "completed" in events.kinds("114")
    assert any("hook bug" in (r.exc_text or "") for r in caplog.records)
    server.unsubscribe(broken)


async def test_lifecycle_logs_carry_task_and_trace_ids(
    server: CallbackServer, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="minimax_async.callbacks")
    truth = Truth("115")
    waiter = asyncio.create_task(
        server.wait("115", query=truth.query, timeout=DEADLINE, trace_id="trace-abc")
    )
    url = server.callback_url("video")
    async with http.post(url, json=push("115", "success", file_id="7")) as response:
        assert response.status == 200
    with anyio.fail_after(DEADLINE):
        await waiter
    completed = [r for r in caplog.records if getattr(r, "event", None) == "completed"]
    assert len(completed) == 1
    assert completed[0].task_id == "115"  # type: ignore[attr-defined]
    assert completed[0].trace_id == "trace-abc"  # type: ignore[attr-defined]
    secret = url.split("/")[-2]
    assert all(secret not in r.getMessage() for r in caplog.records)


async def test_watchdog_polls_are_bounded_in_concurrency() -> None:
    async with CallbackServer(quiet_period=0.01, max_concurrent_polls=2) as server:
        release = asyncio.Event()
        in_flight = 0
        peak = 0
        both_busy = asyncio.Event()

        def query_for(task_id: str) -> Callable[[], Awaitable[TaskSnapshot]]:
            async def query() -> TaskSnapshot:
                nonlocal in_flight, peak
                in_flight += 1
                peak = max(peak, in_flight)
                if in_flight == 2:
                    both_busy.set()
                try:
                    await release.wait()
                finally:
                    in_flight -= 1
                return TaskSnapshot.model_validate(
                    {"task_id": task_id, "status": "Success", "file_id": "1"}
                )

            return query

        waiters = [
            asyncio.create_task(server.wait(str(i), query=query_for(str(i)), timeout=DEADLINE))
            for i in range(6)
        ]
        with anyio.fail_after(DEADLINE):
            await both_busy.wait()
        release.set()
        with anyio.fail_after(DEADLINE):
            results = await asyncio.gather(*waiters)
        assert [r.task_id for r in results] == [str(i) for i in range(6)]
        assert peak == 2


async def test_a_confirming_query_without_an_answer_is_asked_again_soon(
    confirming: CallbackServer, http: aiohttp.ClientSession
) -> None:
    truth = Truth("116")
    truth.finish(file_id="real")
    truth.errors = [OSError("connection reset")]
    waiter = _start_wait(confirming, truth)
    await post_json(http, confirming.callback_url("video"), push("116", "success", file_id="r"))
    # quiet_period=600: only the retry backoff (well under a second) fits the deadline.
    with anyio.fail_after(DEADLINE):
        result = await waiter
    assert result.file_id == "real"
    assert truth.queries == 2
