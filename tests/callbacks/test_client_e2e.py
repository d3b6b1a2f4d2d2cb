"""Through the client, as the issue's example: ``AsyncMiniMax(callbacks=CallbackServer(...))``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from minimax_async import TaskFailedError, TaskStatus
from minimax_async._client import AsyncMiniMax
from minimax_async.callbacks import CallbackServer
from minimax_async.emulator import Emulator, EmulatorConfig
from tests.callbacks._helpers import DEADLINE, Events

VIDEO_QUERY = "/v1/query/video_generation"


@asynccontextmanager
async def client_rig(
    *, confirm: bool, quiet_period: float = 600.0, **knobs: Any
) -> AsyncIterator[tuple[Emulator, CallbackServer, AsyncMiniMax]]:
    config = EmulatorConfig(time_scale=0.02, seed=11, **knobs)
    callbacks = CallbackServer(confirm=confirm, quiet_period=quiet_period, max_poll_interval=0.5)
    async with (
        Emulator(config=config) as emu,
        AsyncMiniMax(
            api_key="test-key-client", base_url=emu.base_url, rpm=None, callbacks=callbacks
        ) as client,
    ):
        yield emu, callbacks, client


async def test_the_issue_example_resolves_every_task_by_push() -> None:
    async with client_rig(confirm=False) as (emu, callbacks, client):
        assert callbacks.running  # the client started it
        prompts = [f"a lighthouse at dusk, take {i}" for i in range(8)]
        with anyio.fail_after(DEADLINE):
            tasks = [await client.video.create(prompt=p) for p in prompts]
            videos = await asyncio.gather(*(t.result() for t in tasks))
        for task, video in zip(tasks, videos, strict=True):
            truth = emu.tasks[task.task_id]
            assert truth.callback_url == callbacks.callback_url("video")
            assert video.file_id == truth.file_id
        assert emu.requests_to(VIDEO_QUERY) == []
    assert not callbacks.running  # and closed it


async def test_confirmation_fills_in_the_video_size() -> None:
    async with client_rig(confirm=True) as (emu, _, client):
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="a cat")
            video = await task.result()
        truth = emu.tasks[task.task_id]
        assert (video.width, video.height) == (truth.width, truth.height)
        assert len(emu.requests_to(VIDEO_QUERY)) == 1


async def test_video_agent_tasks_work_through_the_receiver() -> None:
    async with client_rig(confirm=False) as (emu, callbacks, client):
        with anyio.fail_after(DEADLINE):
            task = await client.video_agent.create(
                template_id="394514820878671878", text_inputs=["x"]
            )
            video = await task.result()
        truth = emu.tasks[task.task_id]
        assert truth.callback_url == callbacks.callback_url("agent")
        assert video.video_url == truth.video_url


async def test_a_failed_task_raises_task_failed() -> None:
    async with client_rig(confirm=False, failure_rate=1.0, failure_code=1026) as (_, _, client):
        task = await client.video.create(prompt="a cat")
        with anyio.fail_after(DEADLINE), pytest.raises(TaskFailedError) as caught:
            await task.result()
        assert caught.value.snapshot.base_resp is not None
        assert caught.value.snapshot.base_resp.status_code == 1026


async def test_lost_pushes_fall_back_to_polling() -> None:
    async with client_rig(confirm=False, quiet_period=0.1, push_drop_rate=1.0) as (emu, _, client):
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="a cat")
            video = await task.result()
        assert video.file_id == emu.tasks[task.task_id].file_id
        assert emu.requests_to(VIDEO_QUERY)


async def test_cancelling_result_detaches_and_a_later_result_reattaches() -> None:
    # Long processing so the cancel lands while the task really runs.
    async with client_rig(confirm=False, processing_seconds=25.0) as (emu, callbacks, client):
        events = Events(callbacks)
        task = await client.video.create(prompt="a cat")
        waiting = asyncio.create_task(task.result())
        with anyio.fail_after(DEADLINE):
            await events.wait_for("registered")
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert "detached" in events.kinds(task.task_id)
        with anyio.fail_after(DEADLINE):
            await emu.wait_for_status(task.task_id, TaskStatus.SUCCESS)
            video = await task.result()
        assert video.file_id == emu.tasks[task.task_id].file_id
