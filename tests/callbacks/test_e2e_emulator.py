"""End to end: the emulator creates tasks, challenges and pushes; the receiver resolves them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import anyio
import pytest

from minimax_async import TaskStatus
from minimax_async.callbacks import CallbackServer
from minimax_async.emulator import Emulator, EmulatorConfig
from minimax_async.models import TaskSnapshot
from tests.callbacks._helpers import (
    DEADLINE,
    EmulatorClient,
    Events,
    emulator_client,
    post_json,
    push,
)

VIDEO_QUERY = "/v1/query/video_generation"
AGENT_QUERY = "/v1/query/video_template_generation"


@asynccontextmanager
async def rig(
    *, confirm: bool, quiet_period: float = 600.0, **knobs: Any
) -> AsyncIterator[tuple[Emulator, CallbackServer, EmulatorClient, Events]]:
    config = EmulatorConfig(time_scale=0.02, seed=4, **knobs)
    async with (
        Emulator(config=config) as emu,
        CallbackServer(confirm=confirm, quiet_period=quiet_period, max_poll_interval=0.5) as cb,
        emulator_client(emu.base_url) as client,
    ):
        yield emu, cb, client, Events(cb)


async def run_video_tasks(
    cb: CallbackServer, client: EmulatorClient, count: int, prompt: str = "a cat"
) -> dict[str, TaskSnapshot]:
    async def one(index: int) -> tuple[str, TaskSnapshot]:
        task_id = await client.create(cb.callback_url("video"), prompt=f"{prompt} {index}")
        query = client.query_for(task_id)
        return task_id, await cb.wait(task_id, query=query, timeout=DEADLINE)

    with anyio.fail_after(DEADLINE * 2):
        pairs = await asyncio.gather(*(one(i) for i in range(count)))
    return dict(pairs)


def assert_matches_emulator(
    emu: Emulator, results: dict[str, TaskSnapshot], events: Events, *, sized: bool
) -> None:
    assert results
    for task_id, result in results.items():
        truth = emu.tasks[task_id]
        assert truth.status.is_terminal
        assert result.task_id == task_id
        assert result.status == truth.status.value
        assert result.file_id == truth.file_id
        assert result.video_url == truth.video_url
        if sized and truth.status == TaskStatus.SUCCESS.value:
            assert (result.video_width, result.video_height) == (truth.width, truth.height)
        assert events.kinds(task_id).count("completed") == 1, task_id


async def test_many_concurrent_tasks_resolve_by_pushes_alone() -> None:
    async with rig(confirm=False) as (emu, cb, client, events):
        results = await run_video_tasks(cb, client, 40)
        assert_matches_emulator(emu, results, events, sized=False)
        assert all(r.status is TaskStatus.SUCCESS for r in results.values())
        assert emu.requests_to(VIDEO_QUERY) == []
        challenges = [p for p in emu.pushes if p.kind == "challenge"]
        assert len(challenges) == 40
        assert all(p.delivered for p in challenges)


async def test_confirmation_costs_one_query_per_task_and_fills_in_the_size() -> None:
    async with rig(confirm=True) as (emu, cb, client, events):
        results = await run_video_tasks(cb, client, 10)
        assert_matches_emulator(emu, results, events, sized=True)
        assert len(emu.requests_to(VIDEO_QUERY)) == 10


FAULTS: dict[str, dict[str, Any]] = {
    "drop": {"push_drop_rate": 0.5},
    "drop all": {"push_drop_rate": 1.0},
    "duplicate": {"push_duplicate_rate": 1.0},
    "reorder": {"push_reorder": True},
    "delay": {"push_delay": 5.0},
    "before create returns": {"push_before_create_returns": True},
    "capitalized": {"push_status_case": "capitalized"},
    "everything": {
        "push_drop_rate": 0.3,
        "push_duplicate_rate": 0.5,
        "push_reorder": True,
        "push_delay": 2.0,
        "push_before_create_returns": True,
        "failure_rate": 0.3,
    },
}


@pytest.mark.parametrize("confirm", [True, False], ids=["confirm", "trust"])
@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
async def test_every_delivery_fault_still_gives_each_task_one_correct_result(
    fault: str, confirm: bool
) -> None:
    async with rig(confirm=confirm, quiet_period=0.2, **FAULTS[fault]) as (emu, cb, client, ev):
        results = await run_video_tasks(cb, client, 12)
        assert_matches_emulator(emu, results, ev, sized=confirm)


async def test_failed_tasks_resolve_with_their_fail_snapshot() -> None:
    async with rig(confirm=False) as (emu, cb, client, events):
        results = await run_video_tasks(cb, client, 3, prompt="x {emulator:fail:1027}")
        assert_matches_emulator(emu, results, events, sized=False)
        for result in results.values():
            assert result.status is TaskStatus.FAIL
            assert result.base_resp is not None
            assert result.base_resp.status_code == 1027


@pytest.mark.parametrize("confirm", [True, False], ids=["confirm", "trust"])
async def test_video_agent_tasks_resolve_with_their_video_url(confirm: bool) -> None:
    async with rig(confirm=confirm) as (emu, cb, client, events):

        async def one() -> tuple[str, TaskSnapshot]:
            task_id = await client.create_agent(cb.callback_url("agent"))
            query = client.query_for(task_id, agent=True)
            return task_id, await cb.wait(task_id, query=query, timeout=DEADLINE)

        with anyio.fail_after(DEADLINE):
            results = dict(await asyncio.gather(*(one() for _ in range(5))))
        assert_matches_emulator(emu, results, events, sized=False)
        assert all(r.video_url for r in results.values())
        assert len(emu.requests_to(AGENT_QUERY)) == (5 if confirm else 0)


async def test_forged_pushes_never_resolve_a_task_wrongly(http: aiohttp.ClientSession) -> None:
    # Long stages, so forgeries land while the task is really still running.
    async with rig(confirm=True, processing_seconds=50.0) as (emu, cb, client, events):
        task_id = await client.create(cb.callback_url("video"))
        waiter = asyncio.create_task(
            cb.wait(task_id, query=client.query_for(task_id), timeout=DEADLINE)
        )
        with anyio.fail_after(DEADLINE):
            await events.wait_for("registered")
        real = cb.callback_url("video")
        base, secret = real.rsplit("/", 2)[0], real.split("/")[-2]
        forged = push(task_id, "success", file_id="666")
        assert (await post_json(http, f"{base}/video", forged))[0] == 404
        assert (await post_json(http, f"{base}/{'x' * len(secret)}/video", forged))[0] == 404
        # Right secret, lying status: a query is made, says Processing, nothing resolves.
        assert (await post_json(http, real, forged))[0] == 200
        assert (await post_json(http, real, push(task_id, "failed")))[0] == 200
        with anyio.fail_after(DEADLINE):
            await events.wait_for("poll", 2)
        assert not waiter.done()
        with anyio.fail_after(DEADLINE):
            result = await waiter
        truth = emu.tasks[task_id]
        assert result.status is TaskStatus.SUCCESS
        assert result.file_id == truth.file_id != "666"


async def test_the_challenge_is_answered_in_time_under_a_push_flood(
    http: aiohttp.ClientSession,
) -> None:
    async with rig(confirm=False) as (emu, cb, client, events):
        url = cb.callback_url("video")
        stop = anyio.Event()
        flooded = 0

        async def flood(worker: int) -> None:
            nonlocal flooded
            index = 0
            while not stop.is_set():
                index += 1
                body = push(f"{worker}{index:06d}", "processing")
                status, _ = await post_json(http, url, body)
                assert status == 200
                flooded += 1

        async with anyio.create_task_group() as group:
            for worker in range(1, 33):
                group.start_soon(flood, worker)
            # Each create makes the emulator demand the echo within its 3 s window.
            results = await run_video_tasks(cb, client, 10)
            stop.set()
        assert flooded > 0
        assert_matches_emulator(emu, results, events, sized=False)
        challenges = [p for p in emu.pushes if p.kind == "challenge"]
        assert len(challenges) == 10
        assert all(p.delivered for p in challenges)
