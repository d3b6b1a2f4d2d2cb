"""V2 task routes over real HTTP: lifecycle, query, list, cancel/delete, the content
URL, the 7-day window, usage, auth, limits and injected failures."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from minimax_async.emulator import Emulator, EmulatorConfig, V2Status
from minimax_async.emulator._probe import probe_video
from tests.emulator._v2 import V2, b64, item, mp3, mp4, t2v, text, v2_caller
from tests.images import data_url, png


async def test_a_task_goes_queued_running_succeeded(v2: V2, minimax_emulator: Emulator) -> None:
    task_id = await v2.created(t2v())
    assert len(task_id) == 15
    assert task_id.isdigit()
    done = await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    assert done.history == [V2Status.QUEUED, V2Status.RUNNING, V2Status.SUCCEEDED]
    task = await v2.task(task_id)
    assert list(task) == [
        "id", "model", "status", "created_at", "updated_at", "content", "resolution",
        "duration", "usage", "ratio", "task_type", "modality",
    ]  # fmt: skip
    assert (task["id"], task["status"], task["task_type"], task["modality"]) == (
        task_id, "succeeded", "generation", "video",
    )  # fmt: skip
    assert task["updated_at"] >= task["created_at"]
    assert (task["resolution"], task["duration"], task["ratio"]) == ("768P", 5, "16:9")
    assert task["usage"] == {
        "total_seconds": 5, "input_seconds": 0, "output_seconds": 5, "input_image_count": 0,
        "total_tokens": 0, "prompt_tokens": 0, "completion_tokens": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "size"),
    [
        (t2v(resolution="2K", ratio="9:16"), (1440, 2560)),
        (t2v(model="MiniMax-H3-Max", resolution="480P", ratio="4:3"), (640, 480)),
        (
            t2v(content=[text(), item("image_url", data_url(png(800, 800)))], ratio="adaptive"),
            (768, 768),
        ),
    ],
    ids=["2K 9:16", "480P 4:3", "adaptive from a square frame"],
)
async def test_content_url_serves_an_mp4_with_audio_at_the_size(
    v2: V2, minimax_emulator: Emulator, body: dict[str, Any], size: tuple[int, int]
) -> None:
    task_id = await v2.created(body)
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    url = (await v2.task(task_id))["content"]["url"]
    async with aiohttp.ClientSession() as http, http.get(url) as resp:  # no key needed
        assert resp.status == 200
        assert resp.content_type == "video/mp4"
        data = await resp.read()
    info = probe_video(data)
    assert (info.width, info.height) == size
    assert info.audio_codec == "mp4a"
    assert info.fps == pytest.approx(24.0)


async def test_usage_counts_inputs(v2: V2, minimax_emulator: Emulator) -> None:
    video = item("video_url", b64(mp4(frames=72), "video/mp4"), "reference_video")  # 3 s
    audio = item("audio_url", b64(mp3(2.4), "audio/mp3"), "reference_audio")
    image = item("image_url", data_url(png(640, 360)), "reference_image")
    task_id = await v2.created(t2v(content=[text(), image, image, video, audio], duration=6))
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    usage = (await v2.task(task_id))["usage"]
    assert usage["input_seconds"] == 3
    assert usage["output_seconds"] == 6
    assert usage["total_seconds"] == 9
    assert usage["input_image_count"] == 2
    assert usage["input_audio_seconds"] == 2


async def test_a_new_query_mints_a_fresh_url_and_old_ones_expire(
    v2: V2, minimax_emulator: Emulator
) -> None:
    task_id = await v2.created(t2v())
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    first = (await v2.task(task_id))["content"]["url"]
    second = (await v2.task(task_id))["content"]["url"]
    assert first != second
    minimax_emulator.advance(minimax_emulator.config.v2_content_url_ttl + 1)
    async with aiohttp.ClientSession() as http:
        async with http.get(first) as resp:
            assert resp.status == 403
        fresh = (await v2.task(task_id))["content"]["url"]
        async with http.get(fresh) as resp:
            assert resp.status == 200


async def test_knob_one_url_until_it_expires(v2: V2, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.v2_url_per_query = False
    task_id = await v2.created(t2v())
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    first = (await v2.task(task_id))["content"]["url"]
    assert (await v2.task(task_id))["content"]["url"] == first
    minimax_emulator.advance(minimax_emulator.config.v2_content_url_ttl + 1)
    assert (await v2.task(task_id))["content"]["url"] != first


async def test_tasks_vanish_after_the_seven_day_window(v2: V2, minimax_emulator: Emulator) -> None:
    task_id = await v2.created(t2v())
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    minimax_emulator.advance(7 * 24 * 3600 - 60)
    assert (await v2.task(task_id))["status"] == "succeeded"
    minimax_emulator.advance(61)
    status, body = await v2.query(task_id)
    assert status == 400
    assert body["error"]["message"] == "invalid params, invalid task_id (2013)"
    assert (await v2.list())[1]["total"] == 0


@pytest.mark.parametrize("unknown_status", [400, 404])
async def test_unknown_and_foreign_tasks(
    minimax_emulator: Emulator, v2: V2, unknown_status: int
) -> None:
    minimax_emulator.config.v2_unknown_task_status = unknown_status
    minimax_emulator.config.api_keys = None
    task_id = await v2.created(t2v())
    async with v2_caller(minimax_emulator.base_url, "someone-else") as other:
        for status, body in (await other.query(task_id), await other.delete(task_id)):
            assert status == unknown_status
            assert body["error"]["message"] == "invalid params, invalid task_id (2013)"
    status, _ = await v2.query("424010985738629")
    assert status == unknown_status


async def test_auth_is_bearer_with_401(minimax_emulator: Emulator) -> None:
    for key in (None, "wrong-key"):
        async with v2_caller(minimax_emulator.base_url, key) as anonymous:
            for method, path in [
                ("POST", "/v2/video_generation"),
                ("GET", "/v2/query/video_generation/1"),
                ("GET", "/v2/query/video_generation"),
                ("DELETE", "/v2/video_generation/1"),
                ("POST", "/v2/h3_context_ir"),
                ("POST", "/v2/video_regeneration"),
            ]:
                status, body = await anonymous.call(method, path, json=t2v())
                assert status == 401, (method, path)
                assert body["error"]["type"] == "authorized_error"
                assert body["error"]["message"].startswith("login fail")
                assert body["error"]["message"].endswith("(1004)")
    assert minimax_emulator.v2_tasks == {}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v2/video_generation/424010985738629", 405),  # the typo route seen in the wild
        ("GET", "/v2/video_generation", 405),
        ("PUT", "/v2/query/video_generation/1", 405),
        ("GET", "/v2/videos", 404),
        ("POST", "/v2/query/video_generation/1/cancel", 404),
    ],
)
async def test_unknown_v2_paths(v2: V2, method: str, path: str, status: int) -> None:
    async with v2.http.request(method, v2.base_url + path) as resp:
        assert resp.status == status
        assert resp.headers["Trace-Id"]


async def test_an_h3_model_on_v1_is_refused(api: Any, minimax_emulator: Emulator) -> None:
    answer = await api.create(model="MiniMax-H3", prompt="x")
    assert answer["base_resp"]["status_code"] == 2013
    assert "V2 model" in answer["base_resp"]["status_msg"]
    assert minimax_emulator.tasks == {}


async def test_list_pages_filters_and_total(v2: V2, minimax_emulator: Emulator) -> None:
    ids = [await v2.created(t2v()) for _ in range(3)]
    ids.append(await v2.created(t2v(model="MiniMax-H3-Max")))
    for task_id in ids:
        await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    ir = await v2.created(
        {"model": "MiniMax-H3", "content": [text()], "duration": 5, "ratio": "16:9"},
        "/v2/h3_context_ir",
    )
    await minimax_emulator.wait_for_v2_status(ir, "succeeded")
    status, page = await v2.list(page_num=1, page_size=2)
    assert status == 200
    assert page["total"] == 5
    assert [t["id"] for t in page["items"]] == [ir, ids[3]]  # newest first
    _, page3 = await v2.list(page_num=3, page_size=2)
    assert [t["id"] for t in page3["items"]] == [ids[0]]
    _, only_max = await v2.list(**{"filter.model": "MiniMax-H3-Max"})
    assert [t["id"] for t in only_max["items"]] == [ids[3]]
    _, only_ir = await v2.list(**{"filter.task_type": "h3_context_ir"})
    assert [t["id"] for t in only_ir["items"]] == [ir]
    _, done = await v2.list(**{"filter.status": "succeeded"})
    assert done["total"] == 5
    _, none = await v2.list(**{"filter.status": "queued"})
    assert none == {"items": [], "total": 0}
    _, joined = await v2.list(**{"filter.task_ids": f"{ids[0]},{ids[1]}"})
    assert {t["id"] for t in joined["items"]} == {ids[0], ids[1]}
    _, repeated = await v2.call(
        "GET",
        "/v2/query/video_generation",
        params=[("filter.task_ids", ids[0]), ("filter.task_ids", ids[2])],
    )
    assert {t["id"] for t in repeated["items"]} == {ids[0], ids[2]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_num": "0"}, "page_num"),
        ({"page_size": "x"}, "page_size"),
        ({"filter.status": "Success"}, "filter.status"),
        ({"filter.task_type": "video"}, "filter.task_type"),
    ],
)
async def test_list_refuses_bad_params(v2: V2, params: dict[str, str], field: str) -> None:
    status, body = await v2.list(**params)
    assert status == 400
    assert body["error"]["message"].startswith(f"invalid params, {field}=")


@pytest.mark.parametrize("style", ["past", "verb"])
async def test_delete_cancels_a_queued_task_and_deletes_a_finished_one(
    minimax_emulator: Emulator, v2: V2, style: str
) -> None:
    minimax_emulator.config.v2_delete_style = style  # type: ignore[assignment]
    minimax_emulator.config.v2_queued_seconds = 1000.0
    queued = await v2.created(t2v())
    status, answer = await v2.delete(queued)
    assert status == 200
    action = "cancelled" if style == "past" else "cancel"
    assert answer == {"task_id": queued, "action": action, "status": "cancelled"}
    task = await v2.task(queued)
    assert task["status"] == "cancelled"
    assert task["usage"] == {}  # no charge
    assert "content" not in task
    status, again = await v2.delete(queued)
    assert status == 400
    assert again["error"]["message"] == "invalid params, task is already cancelled (2013)"
    minimax_emulator.config.v2_queued_seconds = 0.0
    done = await v2.created(t2v())
    await minimax_emulator.wait_for_v2_status(done, "succeeded")
    status, answer = await v2.delete(done)
    assert answer == {
        "task_id": done, "action": "deleted" if style == "past" else "delete", "status": "deleted",
    }  # fmt: skip
    assert (await v2.query(done))[0] == 400
    assert minimax_emulator.v2_tasks[done].deleted  # still there for inspection


async def test_a_running_task_cannot_be_deleted(minimax_emulator: Emulator, v2: V2) -> None:
    minimax_emulator.config.v2_queued_seconds = 0.0
    minimax_emulator.config.v2_running_seconds = 1000.0
    task_id = await v2.created(t2v())
    await minimax_emulator.wait_for_v2_status(task_id, "running")
    status, body = await v2.delete(task_id)
    assert status == 400
    assert "only a queued task can be cancelled" in body["error"]["message"]
    assert (await v2.task(task_id))["status"] == "running"


async def test_knob_expired(minimax_emulator: Emulator, v2: V2) -> None:
    minimax_emulator.config.v2_queued_seconds = 1000.0
    minimax_emulator.config.v2_expire_after = 0.5
    task_id = await v2.created(t2v())
    task = await minimax_emulator.wait_for_v2_status(task_id, "expired")
    assert task.history == [V2Status.QUEUED, V2Status.EXPIRED]
    assert (await v2.task(task_id))["status"] == "expired"
    status, answer = await v2.delete(task_id)
    assert (status, answer["action"]) == (200, "deleted")


async def test_failed_tasks_carry_a_string_code(v2: V2, minimax_emulator: Emulator) -> None:
    task_id = await v2.created(t2v(content=[text("sky {emulator:fail:1027}")]))
    await minimax_emulator.wait_for_v2_status(task_id, "failed")
    task = await v2.task(task_id)
    assert task["error"] == {"code": "1027", "message": "output video contains sensitive content"}
    assert task["usage"] == {}
    minimax_emulator.config.v2_usage_unsuccessful = "zeros"
    usage = (await v2.task(task_id))["usage"]
    assert usage["total_seconds"] == usage["output_seconds"] == 0


async def test_failure_rate_knob_fails_v2_tasks(v2: V2, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.failure_rate = 1.0
    task_id = await v2.created(t2v())
    await minimax_emulator.wait_for_v2_status(task_id, "failed")
    assert (await v2.task(task_id))["error"]["code"] == "1026"


async def test_knob_echo_ratio(v2: V2, minimax_emulator: Emulator) -> None:
    body = t2v(
        content=[text(), item("image_url", data_url(png(640, 640)), "reference_image")],
        ratio="adaptive",
    )
    task_id = await v2.created(body)
    assert (await v2.task(task_id))["ratio"] == "1:1"
    minimax_emulator.config.v2_echo_ratio = True
    assert (await v2.task(task_id))["ratio"] == "adaptive"


async def test_rpm_limit_answers_429() -> None:
    config = EmulatorConfig(time_scale=0.01, v2_rpm_limit=2)
    async with Emulator(config=config) as emu, v2_caller(emu.base_url, "k") as v2:
        await v2.created(t2v())
        await v2.created(t2v())
        status, body = await v2.create(t2v())
        assert status == 429
        assert body["error"] == {
            "type": "rate_limit_error",
            "message": "rate limit, please retry later (1002)",
            "http_code": "429",
        }
        assert len(emu.v2_tasks) == 2
        assert (await v2.list())[0] == 200  # reads are not counted


async def test_in_flight_cap_answers_429() -> None:
    config = EmulatorConfig(time_scale=0.01, v2_in_flight_limit=2, v2_queued_seconds=1000.0)
    async with Emulator(config=config) as emu, v2_caller(emu.base_url, "k") as v2:
        first = await v2.created(t2v())
        await v2.created(t2v())
        status, body = await v2.create(t2v())
        assert (status, body["error"]["type"]) == (429, "rate_limit_error")
        async with v2_caller(emu.base_url, "another-account") as other:
            assert await other.created(t2v())  # the cap is per key
        await v2.delete(first)  # a cancelled task frees its slot
        assert await v2.created(t2v())
    assert EmulatorConfig().v2_in_flight_limit == 30


@pytest.mark.parametrize(
    ("status", "etype", "code"), [(500, "server_error", 1000), (529, "overloaded_error", 1000)]
)
async def test_injected_errors(
    v2: V2, minimax_emulator: Emulator, status: int, etype: str, code: int
) -> None:
    minimax_emulator.config.v2_error_rate = 1.0
    minimax_emulator.config.v2_error_status = status
    got, body = await v2.create(t2v())
    assert (got, body["error"]["type"]) == (status, etype)
    assert body["error"]["message"].endswith(f"({code})")
    assert minimax_emulator.v2_tasks == {}
    assert minimax_emulator.requests[-1].fault == f"v2 {status}"


async def test_balance_and_moderation_knobs(v2: V2, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.v2_insufficient_balance = True
    status, body = await v2.create(t2v())
    assert (status, body["error"]["type"]) == (402, "insufficient_balance_error")
    assert body["error"]["message"] == "insufficient balance (1008)"
    minimax_emulator.config.v2_insufficient_balance = False
    minimax_emulator.config.v2_moderation_pattern = r"forbidden"
    status, body = await v2.create(t2v(content=[text("a forbidden scene")]))
    assert (status, body["error"]["type"]) == (422, "unprocessable_entity_error")
    assert body["error"]["message"] == "video description contains sensitive content (1026)"
    assert minimax_emulator.v2_tasks == {}
    assert await v2.created(t2v())


async def test_inspection_records_v2_requests(v2: V2, minimax_emulator: Emulator) -> None:
    task_id = await v2.created(t2v())
    await v2.create(t2v(duration=99))
    create, refused = minimax_emulator.requests_to("/v2/video_generation")
    assert (create.http_status, create.status_code, create.task_id) == (200, 0, task_id)
    assert (refused.http_status, refused.status_code) == (400, 2013)
    assert refused.json["duration"] == 99


async def test_h3_max_runs_on_its_own_faster_timer(v2: V2, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.v2_queued_seconds = 0.0
    minimax_emulator.config.v2_running_seconds = 1000.0
    minimax_emulator.config.v2_max_running_seconds = 0.0
    slow = await v2.created(t2v())
    fast = await v2.created(t2v(model="MiniMax-H3-Max"))
    await minimax_emulator.wait_for_v2_status(fast, "succeeded")
    await minimax_emulator.wait_for_v2_status(slow, "running")
    assert (await v2.task(slow))["status"] == "running"
