"""task.updates() and task.result() through the receiver: pushes, Trace-Id, deadlines."""

from __future__ import annotations

import logging

import anyio
import pytest

from minimax_async import CallbackEvent, CallbackServer, TaskStatus, TaskTimeoutError
from minimax_async.emulator import Emulator
from tests.client.conftest import ClientFactory

DEADLINE = 30.0


async def test_updates_start_with_the_current_status_then_follow_the_pushes(
    make_client: ClientFactory, emu: Emulator
) -> None:
    emu.config.time_scale = 0.05
    receiver = CallbackServer(quiet_period=600.0, confirm=False)
    async with make_client(callbacks=receiver, poll_interval=600.0) as client:
        task = await client.video.create(prompt="statuses by push")
        with anyio.fail_after(DEADLINE):
            seen = [snap.status async for snap in task.updates()]
    # One query for the status the task has now (Preparing, unless a push beat it).
    assert seen[0] in (TaskStatus.PREPARING, TaskStatus.QUEUEING)
    assert seen[-2:] == [TaskStatus.PROCESSING, TaskStatus.SUCCESS]
    assert len(seen) == len(set(seen))
    assert task.status is TaskStatus.SUCCESS
    assert len(emu.requests_to("/v1/query/video_generation")) == 1


async def test_updates_yield_what_a_push_already_said_without_asking(
    make_client: ClientFactory, emu: Emulator
) -> None:
    emu.config.time_scale = 0.05
    emu.config.push_before_create_returns = True  # the receiver hears before the caller
    receiver = CallbackServer(quiet_period=600.0, confirm=False)
    async with make_client(callbacks=receiver, poll_interval=600.0) as client:
        task = await client.video.create(prompt="known at once")
        with anyio.fail_after(DEADLINE):
            seen = [snap.status async for snap in task.updates()]
    assert seen == [
        TaskStatus.PREPARING,
        TaskStatus.QUEUEING,
        TaskStatus.PROCESSING,
        TaskStatus.SUCCESS,
    ]
    assert emu.requests_to("/v1/query/video_generation") == []


async def test_updates_end_through_the_watchdog_when_every_push_is_lost(
    make_client: ClientFactory, emu: Emulator
) -> None:
    emu.config.push_drop_rate = 1.0
    receiver = CallbackServer(quiet_period=0.05, max_poll_interval=0.1)
    async with make_client(callbacks=receiver) as client:
        task = await client.video.create(prompt="no push will come")
        with anyio.fail_after(DEADLINE):
            seen = [snap.status async for snap in task.updates()]
    assert seen[-1] is TaskStatus.SUCCESS
    assert emu.requests_to("/v1/query/video_generation")


async def test_updates_deadline_raises_and_the_task_can_be_awaited_again(
    make_client: ClientFactory, emu: Emulator
) -> None:
    emu.config.time_scale = 1.0  # seconds per stage: the deadline below comes first
    receiver = CallbackServer(quiet_period=600.0)
    async with make_client(callbacks=receiver) as client:
        task = await client.video.create(prompt="slow")
        with pytest.raises(TaskTimeoutError):
            async for _ in task.updates(timeout=0.01):
                pass
        emu.config.time_scale = 0.01
        with anyio.fail_after(DEADLINE):
            video = await task.result(timeout=DEADLINE)
    assert video.file_id == emu.tasks[task.task_id].file_id


async def test_the_create_trace_id_reaches_the_handle_the_logs_and_the_receiver(
    make_client: ClientFactory, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[CallbackEvent] = []
    receiver = CallbackServer(quiet_period=600.0)
    receiver.subscribe(events.append)
    caplog.set_level(logging.INFO, logger="minimax_async")
    async with make_client(callbacks=receiver) as client:
        task = await client.video.create(prompt="traced")
        with anyio.fail_after(DEADLINE):
            await task.result(timeout=DEADLINE)
    create = emu.requests_to("/v1/video_generation")[0]
    assert task.trace_id == create.trace_id
    assert task.trace_id
    submitted = [r for r in caplog.records if getattr(r, "event", None) == "submitted"]
    assert [getattr(r, "task_id", None) for r in submitted] == [task.task_id]
    assert getattr(submitted[0], "trace_id", None) == task.trace_id
    completed = [e for e in events if e.kind == "completed"]
    assert [(e.task_id, e.trace_id) for e in completed] == [(task.task_id, task.trace_id)]


async def test_a_reattached_task_is_asked_about_at_once_even_with_a_receiver(
    make_client: ClientFactory, emu: Emulator
) -> None:
    async with make_client() as elsewhere:  # as if another process made it, and died
        made = await elsewhere.video.create(prompt="its pushes went to a process now gone")
        made.close()
    with anyio.fail_after(DEADLINE):
        await emu.wait_for_status(made.task_id, TaskStatus.SUCCESS)
    # quiet_period=600: waiting for a push or for the quiet timer would outlast DEADLINE.
    receiver = CallbackServer(quiet_period=600.0)
    async with make_client(callbacks=receiver, poll_interval=600.0) as client:
        with anyio.fail_after(DEADLINE):
            video = await client.video.task(made.task_id).result()
    assert video.file_id == emu.tasks[made.task_id].file_id
