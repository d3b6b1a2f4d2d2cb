"""Wall-clock stamps on status changes and pushes, which the benchmarks measure against."""

from __future__ import annotations

import time

import anyio

from minimax_async import TaskStatus
from minimax_async.emulator import Emulator
from tests.emulator._helpers import Caller, Receiver


async def test_each_status_and_each_push_carries_a_wall_clock_time(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    before = time.time()
    created = await api.create(model="T2V-01", prompt="waves", callback_url=hook.url)
    task_id = created["task_id"]
    with anyio.fail_after(30):
        task = await minimax_emulator.wait_for_status(task_id, TaskStatus.SUCCESS)
        await minimax_emulator.wait_for_pushes(
            lambda pushes: any(p.delivered and p.body.get("status") == "success" for p in pushes)
        )
    assert len(task.history_times) == len(task.history)
    assert task.history_times == sorted(task.history_times)
    assert task.history_times[0] >= before
    sent = [push for push in minimax_emulator.pushes if push.delivered]
    assert all(push.sent_at is not None and push.sent_at >= before for push in sent)
    final = next(p for p in sent if p.body.get("status") == "success")
    assert final.sent_at is not None
    assert final.sent_at >= task.history_times[-1]


async def test_a_dropped_push_was_never_sent(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.push_drop_rate = 1.0
    created = await api.create(model="T2V-01", prompt="waves", callback_url=hook.url)
    with anyio.fail_after(30):
        await minimax_emulator.wait_for_pushes(
            lambda pushes: any(p.body.get("status") == "success" for p in pushes)
        )
    statuses = [p for p in minimax_emulator.pushes if p.task_id == created["task_id"]]
    assert statuses
    assert all(p.outcome == "dropped" and p.sent_at is None for p in statuses)
