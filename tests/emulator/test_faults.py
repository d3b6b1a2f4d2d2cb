"""Every limit and fault knob, from Python (the CLI maps flags onto the same knobs)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from minimax_async import TaskStatus
from minimax_async.emulator import Emulator, EmulatorConfig, Status, TaskEndedError
from tests.emulator._helpers import Caller, Receiver, caller

T2V = {"model": "T2V-01", "prompt": "snow"}


async def test_rpm_limit_refuses_creates_beyond_it_with_1002(
    api: Caller, minimax_emulator: Emulator
) -> None:
    minimax_emulator.config.rpm_limit = 2
    answers = [await api.create(**T2V) for _ in range(3)]
    assert [a["base_resp"]["status_code"] for a in answers] == [0, 0, 1002]
    assert answers[2]["task_id"] == ""
    assert len(minimax_emulator.tasks) == 2
    # Reads are not limited.
    assert (await api.query(answers[0]["task_id"]))["base_resp"]["status_code"] == 0


async def test_rpm_limit_is_off_by_default(api: Caller, minimax_emulator: Emulator) -> None:
    assert minimax_emulator.config.rpm_limit is None
    answers = [await api.create(**T2V) for _ in range(25)]
    assert all(a["base_resp"]["status_code"] == 0 for a in answers)


@pytest.mark.parametrize("code", [1026, 1027])
async def test_failure_rate_fails_tasks_with_the_chosen_code(
    api: Caller, minimax_emulator: Emulator, code: int
) -> None:
    minimax_emulator.config.failure_rate = 1.0
    minimax_emulator.config.failure_code = code
    created = await api.create(**T2V)
    with pytest.raises(TaskEndedError, match="ended Fail"):
        await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    body = await api.query(created["task_id"])
    assert body["status"] == "Fail"
    assert body["base_resp"]["status_code"] == code
    assert "file_id" not in body


async def test_fail_when_picks_one_task(api: Caller, minimax_emulator: Emulator) -> None:
    def fail_cats(body: Any) -> int | None:
        return 1027 if "cat" in body.get("prompt", "") else None

    minimax_emulator.config.fail_when = fail_cats
    cat = await api.create(model="T2V-01", prompt="a cat")
    dog = await api.create(model="T2V-01", prompt="a dog")
    failed = await minimax_emulator.wait_for_status(cat["task_id"], TaskStatus.FAIL)
    assert failed.failure_code == 1027
    await minimax_emulator.wait_for_status(dog["task_id"], TaskStatus.SUCCESS)


async def test_a_prompt_marker_fails_that_task(api: Caller, minimax_emulator: Emulator) -> None:
    created = await api.create(model="T2V-01", prompt="sky {emulator:fail:1026}")
    task = await minimax_emulator.wait_for_status(created["task_id"], Status.FAIL)
    assert task.history == [
        Status.PREPARING,
        Status.QUEUEING,
        Status.PROCESSING,
        Status.FAIL,
    ]


async def test_http_errors_create_nothing(api: Caller, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.http_error_rate = 1.0
    minimax_emulator.config.http_error_status = 502
    async with api.http.post(api.base_url + "/v1/video_generation", json=T2V) as resp:
        assert resp.status == 502
        assert resp.headers["Trace-Id"]
    assert minimax_emulator.tasks == {}
    assert minimax_emulator.requests[-1].fault == "http 502"
    minimax_emulator.config.http_error_rate = 0.0
    assert (await api.create(**T2V))["base_resp"]["status_code"] == 0


async def test_slow_responses_still_answer(api: Caller, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.slow_rate = 1.0
    minimax_emulator.config.slow_seconds = 0.05
    created = await api.create(**T2V)
    assert created["base_resp"]["status_code"] == 0
    assert minimax_emulator.requests[-1].fault == "slow"


async def test_faults_leave_downloads_alone(api: Caller, minimax_emulator: Emulator) -> None:
    created = await api.create(**T2V)
    await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    file_id = (await api.query(created["task_id"]))["file_id"]
    url = (await api.retrieve(file_id))["file"]["download_url"]
    minimax_emulator.config.http_error_rate = 1.0
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        assert resp.status == 200


def _settled(count: int) -> Any:
    def check(records: list[Any]) -> bool:
        done = [r for r in records if r.kind == "status" and r.outcome != "pending"]
        return len(done) >= count

    return check


async def test_dropped_pushes_are_recorded_but_never_sent(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.push_drop_rate = 1.0
    created = await api.create(**T2V, callback_url=hook.url)
    await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    records = await minimax_emulator.wait_for_pushes(_settled(3))
    assert [r.outcome for r in records if r.kind == "status"] == ["dropped"] * 3
    assert hook.pushes == []


async def test_duplicated_pushes_arrive_twice_in_order(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.push_duplicate_rate = 1.0
    await api.create(**T2V, callback_url=hook.url)
    pushes = await hook.wait_for(6)
    statuses = [p["status"] for p in pushes]
    assert statuses == ["queueing", "queueing", "processing", "processing", "success", "success"]


async def test_reordered_pushes_arrive_newest_first(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.push_reorder = True
    await api.create(**T2V, callback_url=hook.url)
    pushes = await hook.wait_for(3)
    assert [p["status"] for p in pushes] == ["success", "processing", "queueing"]


async def test_delayed_pushes_arrive_after_the_task_is_done(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    # 100 emulated seconds = 1 s real per push, far longer than the whole lifecycle.
    minimax_emulator.config.push_delay = 100.0
    created = await api.create(**T2V, callback_url=hook.url)
    await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    assert hook.pushes == []
    pushes = await hook.wait_for(3)
    assert [p["status"] for p in pushes] == ["queueing", "processing", "success"]


async def test_a_push_can_arrive_before_the_create_answer(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.push_before_create_returns = True
    created = await api.create(**T2V, callback_url=hook.url)
    # Already there when the create call returned.
    assert hook.pushes[0] == {
        "task_id": created["task_id"],
        "status": "preparing",
        "base_resp": {"status_code": 0, "status_msg": "success"},
    }
    pushes = await hook.wait_for(4)
    assert [p["status"] for p in pushes] == ["preparing", "queueing", "processing", "success"]


async def _seeded_run(seed: int) -> list[str]:
    config = EmulatorConfig(time_scale=0.01, seed=seed, failure_rate=0.5)
    async with Emulator(config=config) as emu, caller(emu.base_url, "k") as other:
        made = [(await other.create(**T2V))["task_id"] for _ in range(4)]
        return made + [str(emu.tasks[task_id].failure_code) for task_id in made]


async def test_seeded_randomness_is_reproducible() -> None:
    assert await _seeded_run(7) == await _seeded_run(7)
    assert await _seeded_run(7) != await _seeded_run(8)
