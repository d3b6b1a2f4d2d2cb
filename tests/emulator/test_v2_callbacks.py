"""V2 callbacks: the challenge during create, then a {"task": ...} push on every status
change, with the same delivery faults as V1."""

from __future__ import annotations

from aiohttp import web

from minimax_async.emulator import Emulator
from tests._serve import serve_app
from tests.emulator._helpers import Receiver
from tests.emulator._v2 import V2, t2v

STATUSES = ["queued", "running", "succeeded"]


def statuses(hook: Receiver) -> list[str]:
    return [push["task"]["status"] for push in hook.pushes]


async def test_the_challenge_then_a_push_per_status(
    v2: V2, minimax_emulator: Emulator, hook: Receiver
) -> None:
    task_id = await v2.created(t2v(callback_url=hook.url))
    assert len(hook.challenges) == 1
    assert minimax_emulator.pushes[0].kind == "challenge"
    pushes = await hook.wait_for(3)
    assert statuses(hook) == STATUSES
    last = pushes[-1]["task"]
    assert (last["id"], last["task_type"], last["modality"]) == (task_id, "generation", "video")
    assert last["content"]["url"].startswith(minimax_emulator.base_url)
    # The push has the query's shape (URLs are minted per query, so compare the rest).
    queried = await v2.task(task_id)
    assert {k: v for k, v in last.items() if k != "content"} == {
        k: v for k, v in queried.items() if k != "content"
    }


async def test_a_failed_challenge_refuses_the_create(
    v2: V2, minimax_emulator: Emulator, hook: Receiver
) -> None:
    hook.mode = "wrong"
    status, body = await v2.create(t2v(callback_url=hook.url))
    assert status == 400
    assert body["error"]["message"] == "invalid params, fail to check callback url (2013)"
    assert minimax_emulator.v2_tasks == {}


async def test_knob_a_failed_challenge_is_accepted_silently(
    v2: V2, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.v2_callback_check = "ignore"
    hook.mode = "error"
    task_id = await v2.created(t2v(callback_url=hook.url))
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    assert [p.kind for p in minimax_emulator.pushes] == ["challenge"]  # no push ever comes
    assert hook.pushes == []


async def test_a_cancel_is_pushed(v2: V2, minimax_emulator: Emulator, hook: Receiver) -> None:
    minimax_emulator.config.v2_queued_seconds = 1000.0
    task_id = await v2.created(t2v(callback_url=hook.url))
    await v2.delete(task_id)
    await hook.wait_for(2)
    assert statuses(hook) == ["queued", "cancelled"]


async def test_knob_no_queued_push(v2: V2, minimax_emulator: Emulator, hook: Receiver) -> None:
    minimax_emulator.config.v2_push_queued = False
    await v2.created(t2v(callback_url=hook.url))
    await hook.wait_for(2)
    await minimax_emulator.wait_for_pushes(lambda p: len(p) == 3)
    assert statuses(hook) == ["running", "succeeded"]


async def test_dropped_pushes(v2: V2, minimax_emulator: Emulator, hook: Receiver) -> None:
    minimax_emulator.config.push_drop_rate = 1.0
    await v2.created(t2v(callback_url=hook.url))
    records = await minimax_emulator.wait_for_pushes(lambda p: len(p) == 4)
    assert [r.outcome for r in records[1:]] == ["dropped"] * 3
    assert hook.pushes == []


async def test_duplicated_pushes(v2: V2, minimax_emulator: Emulator, hook: Receiver) -> None:
    minimax_emulator.config.push_duplicate_rate = 1.0
    await v2.created(t2v(callback_url=hook.url))
    await hook.wait_for(6)
    assert statuses(hook) == ["queued", "queued", "running", "running", "succeeded", "succeeded"]


async def test_reordered_pushes(v2: V2, minimax_emulator: Emulator, hook: Receiver) -> None:
    minimax_emulator.config.push_reorder = True
    await v2.created(t2v(callback_url=hook.url))
    await hook.wait_for(3)
    assert statuses(hook) == list(reversed(STATUSES))


async def test_delayed_pushes(v2: V2, minimax_emulator: Emulator, hook: Receiver) -> None:
    minimax_emulator.config.push_delay = 100.0  # x time_scale 0.01 = 1 s each
    task_id = await v2.created(t2v(callback_url=hook.url))
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    assert hook.pushes == []  # the task finished before its first push went out
    await hook.wait_for(3)
    assert statuses(hook) == STATUSES


async def test_a_push_before_the_create_returns(
    v2: V2, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.push_before_create_returns = True
    minimax_emulator.config.v2_queued_seconds = 1000.0
    task_id = await v2.created(t2v(callback_url=hook.url))
    # The receiver heard of the task before its creator did.
    assert [p["task"]["id"] for p in hook.pushes] == [task_id]
    assert statuses(hook) == ["queued"]


async def test_knob_the_challenge_as_a_get(
    v2: V2, minimax_emulator: Emulator, hook: Receiver
) -> None:
    minimax_emulator.config.v2_challenge_method = "GET"
    # The usual receiver only takes POST: a GET challenge gets 405 and the create fails.
    status, _ = await v2.create(t2v(callback_url=hook.url))
    assert status == 400
    assert minimax_emulator.pushes[-1].http_status == 405

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"challenge": request.query["challenge"]})

    async def push(request: web.Request) -> web.Response:
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/hook", echo)
    app.router.add_post("/hook", push)
    async with serve_app(app, shutdown_timeout=1.0) as url:
        task_id = await v2.created(t2v(callback_url=f"{url}/hook"))
        await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
        records = await minimax_emulator.wait_for_pushes(lambda p: len(p) == 5)
    challenge = records[1]
    assert (challenge.kind, challenge.method, challenge.outcome) == (
        "challenge",
        "GET",
        "delivered",
    )
    assert {r.method for r in records[2:]} == {"POST"}
