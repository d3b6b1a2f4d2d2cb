"""Polling to every terminal state, updates(), deadlines and re-attaching by task id."""

from __future__ import annotations

import json
import logging

import anyio
import pytest

from minimax_async import (
    AsyncMiniMax,
    AuthenticationError,
    InvalidRequestError,
    TaskFailedError,
    TaskStatus,
    TaskTimeoutError,
    VideoAgentTask,
    VideoTask,
)
from minimax_async.emulator import Emulator
from tests.client._servers import api_error, json_answer, raw_answer, scripted_server
from tests.client.conftest import KEY, ClientFactory

DEADLINE = 30.0
QUERY = "/v1/query/video_generation"


async def test_success_polls_until_done(client: AsyncMiniMax, emu: Emulator) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(prompt="a fox in snow")
        before = task.status  # nothing queried yet
        video = await task.result(timeout=DEADLINE)
    assert before is TaskStatus.UNKNOWN
    assert task.status is TaskStatus.SUCCESS
    assert video.file_id == emu.tasks[task.task_id].file_id
    assert len(emu.requests_to(QUERY)) >= 1


@pytest.mark.parametrize("code", [1026, 1027])
async def test_fail_raises_task_failed_with_snapshot(
    client: AsyncMiniMax, emu: Emulator, code: int
) -> None:
    emu.config.fail_when = lambda body: code
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(prompt="a storm")
        with pytest.raises(TaskFailedError) as caught:
            await task.result(timeout=DEADLINE)
    error = caught.value
    assert error.task_id == task.task_id
    assert error.snapshot.status is TaskStatus.FAIL
    assert error.snapshot.base_resp is not None
    assert error.snapshot.base_resp.status_code == code
    assert str(code) in str(error)
    assert client.in_flight == 0  # a failure is a delivered result


async def test_query_of_failed_task_returns_the_snapshot(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    emu.config.fail_when = lambda body: 1027
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(prompt="x")
        await emu.wait_for_status(task.task_id, TaskStatus.FAIL)
        snap = await client.video.query(task.task_id)
    assert snap.status is TaskStatus.FAIL
    assert snap.base_resp is not None
    assert snap.base_resp.status_code == 1027


async def test_deadline_raises_task_timeout_and_task_can_be_waited_again(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    emu.config.processing_seconds = 1e6  # far beyond any deadline below
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(prompt="a long one")
        with pytest.raises(TaskTimeoutError) as caught:
            await task.result(timeout=0.2)
        assert caught.value.task_id == task.task_id
        assert caught.value.last_status in {"Preparing", "Queueing", "Processing"}
        assert client.in_flight == 1  # not delivered: still counted
        with pytest.raises(TaskTimeoutError):
            await task.result(timeout=0.1)  # waiting again works the same way
    task.close()
    assert client.in_flight == 0


async def test_updates_yield_each_status_once_in_order(client: AsyncMiniMax, emu: Emulator) -> None:
    emu.config.processing_seconds = 3.0  # a few polls at each stage
    seen: list[TaskStatus] = []
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(prompt="a slow pan [Pan left]")
        async for snap in task.updates(timeout=DEADLINE):
            seen.append(snap.status)
    assert seen[-1] is TaskStatus.SUCCESS
    assert len(seen) == len(set(seen))
    assert [s.rank for s in seen] == sorted(s.rank for s in seen)


async def test_updates_deadline(client: AsyncMiniMax, emu: Emulator) -> None:
    emu.config.processing_seconds = 1e6
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(prompt="never in time")
        with pytest.raises(TaskTimeoutError):
            async for _ in task.updates(timeout=0.2):
                pass


async def test_reattach_by_id_and_by_dict(
    client: AsyncMiniMax, make_client: ClientFactory, emu: Emulator
) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(prompt="resume me")
        saved = json.dumps(task.to_dict())
        task.close()
        async with make_client() as other:  # as if in another process
            again = other.task_from_dict(json.loads(saved))
            assert isinstance(again, VideoTask)
            assert again.task_id == task.task_id
            video = await again.result(timeout=DEADLINE)
            by_id = await other.video.task(int(task.task_id)).result(timeout=DEADLINE)
    assert video.file_id == by_id.file_id


async def test_reattach_refuses_bad_records(client: AsyncMiniMax) -> None:
    from minimax_async import InvalidInputError

    with pytest.raises(InvalidInputError):
        client.task_from_dict({"kind": "music", "task_id": "1"})
    with pytest.raises(InvalidInputError):
        client.video.task("")
    assert isinstance(client.task_from_dict({"kind": "agent", "task_id": "9"}), VideoAgentTask)


async def test_unknown_task_raises_instead_of_spinning(client: AsyncMiniMax) -> None:
    with anyio.fail_after(DEADLINE), pytest.raises(InvalidRequestError):
        await client.video.task("123456789").result(timeout=DEADLINE)


async def test_wrong_key_raises_instead_of_spinning(
    make_client: ClientFactory, emu: Emulator
) -> None:
    async with make_client(api_key="not-the-right-key") as wrong:
        with anyio.fail_after(DEADLINE), pytest.raises(AuthenticationError):
            await wrong.video.task("123456789").result(timeout=DEADLINE)


async def test_transient_query_errors_are_polled_through() -> None:
    success = {
        "task_id": "42",
        "status": "Success",
        "file_id": "176844028768320",
        "video_width": 1920,
        "video_height": 1080,
        "base_resp": {"status_code": 0, "status_msg": "success"},
    }
    script = {
        QUERY: [
            raw_answer("<html>gateway</html>", status=503),
            api_error(1000, "unknown error"),
            api_error(1002, "rate limit"),
            json_answer({"task_id": "42", "status": "Processing", "base_resp": {}}),
            json_answer(success),
        ]
    }
    async with (
        scripted_server(script) as server,
        AsyncMiniMax(api_key=KEY, base_url=server.url, max_retries=0, poll_interval=0.01) as c,
    ):
        with anyio.fail_after(DEADLINE):
            video = await c.video.task("42").result(timeout=DEADLINE)
    assert (video.file_id, video.width, video.height) == ("176844028768320", 1920, 1080)
    assert server.hits[QUERY] == 5


async def test_a_failing_poll_is_retried_by_the_tracker_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    success = {"task_id": "43", "status": "Success", "file_id": "1", "base_resp": {}}
    script = {QUERY: [raw_answer("busy", status=503), raw_answer("busy", status=503)]}
    script[QUERY].append(json_answer(success))
    caplog.set_level(logging.INFO, logger="minimax_async")
    async with (
        scripted_server(script) as server,
        # Transport retries on: still, a poll is one request, retried on the poll schedule.
        AsyncMiniMax(api_key=KEY, base_url=server.url, max_retries=5, poll_interval=0.01) as c,
    ):
        with anyio.fail_after(DEADLINE):
            await c.video.task("43").result(timeout=DEADLINE)
    assert server.hits[QUERY] == 3
    failed_polls = [r for r in caplog.records if getattr(r, "event", None) == "poll_error"]
    assert [getattr(r, "task_id", None) for r in failed_polls] == ["43", "43"]
    resent = [
        r
        for r in caplog.records
        if r.name == "minimax_async._transport" and "retry" in r.getMessage()
    ]
    assert resent == []
