"""The callback handshake during create, and the pushes that follow every status change."""

from __future__ import annotations

from minimax_async import TaskStatus
from minimax_async.emulator import Emulator
from tests.emulator._helpers import Caller, Receiver

T2V = {"model": "T2V-01", "prompt": "waves"}
FAILED = {"status_code": 2013, "status_msg": "invalid params, fail to check callback url"}


async def test_an_echoed_challenge_creates_the_task(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    created = await api.create(**T2V, callback_url=hook.url)
    assert created["base_resp"]["status_code"] == 0
    assert len(hook.challenges) == 1
    challenge = minimax_emulator.pushes[0]
    assert challenge.kind == "challenge"
    assert challenge.body == {"challenge": hook.challenges[0]}
    assert challenge.outcome == "delivered"


async def test_a_wrong_echo_fails_the_create_and_leaves_no_task(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    hook.mode = "wrong"
    created = await api.create(**T2V, callback_url=hook.url)
    assert created["base_resp"] == FAILED
    assert created["task_id"] == ""
    assert minimax_emulator.tasks == {}
    assert minimax_emulator.pushes[0].outcome == "rejected"


async def test_an_error_answer_fails_the_create(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    hook.mode = "error"
    assert (await api.create(**T2V, callback_url=hook.url))["base_resp"] == FAILED
    assert minimax_emulator.pushes[0].http_status == 500
    assert minimax_emulator.tasks == {}


async def test_no_answer_within_the_deadline_fails_the_create(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    hook.mode = "hang"
    minimax_emulator.config.challenge_timeout = 0.2
    created = await api.create(**T2V, callback_url=hook.url)
    assert created["base_resp"] == FAILED
    assert minimax_emulator.pushes[0].outcome == "error: no answer within 0.2s"
    assert minimax_emulator.tasks == {}


async def test_the_default_challenge_deadline_is_three_seconds(
    minimax_emulator: Emulator,
) -> None:
    assert minimax_emulator.config.challenge_timeout == 3.0


async def test_an_unreachable_callback_fails_the_create(
    api: Caller, minimax_emulator: Emulator
) -> None:
    # Port 9 (discard) on loopback: nothing listens there in a test environment.
    created = await api.create(**T2V, callback_url="http://127.0.0.1:9/hook")
    assert created["base_resp"] == FAILED
    assert minimax_emulator.pushes[0].outcome.startswith("error: ")
    assert minimax_emulator.tasks == {}


async def test_pushes_follow_each_change_in_lowercase_without_size(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    created = await api.create(**T2V, callback_url=hook.url)
    task_id = created["task_id"]
    pushes = await hook.wait_for(3)
    assert [p["status"] for p in pushes] == ["queueing", "processing", "success"]
    assert all(p["task_id"] == task_id for p in pushes)
    final = pushes[-1]
    assert final["file_id"] == minimax_emulator.tasks[task_id].file_id
    assert "video_width" not in final
    assert "video_height" not in final
    assert final["base_resp"] == {"status_code": 0, "status_msg": "success"}


async def test_pushes_can_use_capitalised_statuses(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.push_status_case = "capitalized"
    await api.create(model="T2V-01", prompt="x {emulator:fail:1027}", callback_url=hook.url)
    pushes = await hook.wait_for(3)
    assert [p["status"] for p in pushes] == ["Queueing", "Processing", "Fail"]
    assert pushes[-1]["base_resp"]["status_code"] == 1027


async def test_a_failed_task_pushes_failed_in_lowercase(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    await api.create(model="T2V-01", prompt="x {emulator:fail:1026}", callback_url=hook.url)
    pushes = await hook.wait_for(3)
    assert pushes[-1]["status"] == "failed"
    assert pushes[-1]["base_resp"] == {"status_code": 1026, "status_msg": "input new_sensitive"}


async def test_agent_pushes_carry_the_video_url(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    created = await api.create_agent(
        template_id="394514820878671878", text_inputs=[{"value": "x"}], callback_url=hook.url
    )
    pushes = await hook.wait_for(2)
    assert [p["status"] for p in pushes] == ["processing", "success"]
    assert pushes[-1]["video_url"] == minimax_emulator.tasks[created["task_id"]].video_url


async def test_a_broken_receiver_never_stalls_the_lifecycle(
    api: Caller, minimax_emulator: Emulator, hook: Receiver
) -> None:
    hook.refuse_pushes = True
    created = await api.create(**T2V, callback_url=hook.url)
    await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    pushes = await minimax_emulator.wait_for_pushes(
        lambda recs: sum(r.kind == "status" and r.outcome != "pending" for r in recs) == 3
    )
    statuses = [p for p in pushes if p.kind == "status"]
    assert [(p.outcome, p.http_status) for p in statuses] == [("rejected", 500)] * 3
    assert (await api.query(created["task_id"]))["status"] == "Success"
