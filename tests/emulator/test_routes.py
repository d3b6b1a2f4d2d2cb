"""Every route answers as the reference documents, with a Trace-Id, ids as strings."""

from __future__ import annotations

import aiohttp
import pytest

from minimax_async import TaskStatus
from minimax_async.emulator import Emulator, Status
from tests.emulator._helpers import Caller

T2V = {"model": "MiniMax-Hailuo-2.3", "prompt": "a lighthouse at dusk"}
ANIME = "394514820878671878"  # global "Anime Life Sim": text input only


async def _finished_video(api: Caller, emu: Emulator, **body: object) -> dict[str, object]:
    created = await api.create(**{**T2V, **body})
    await emu.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    result: dict[str, object] = await api.query(created["task_id"])
    return result


async def test_create_answers_a_numeric_string_id_and_no_status(api: Caller) -> None:
    created = await api.create(**T2V)
    assert set(created) == {"task_id", "base_resp"}
    assert created["base_resp"] == {"status_code": 0, "status_msg": "success"}
    assert isinstance(created["task_id"], str)
    assert len(created["task_id"]) == 18
    assert created["task_id"].isdigit()


async def test_query_shows_capitalised_status_then_result(
    api: Caller, minimax_emulator: Emulator
) -> None:
    created = await api.create(**T2V, resolution="1080P")
    first = await api.query(created["task_id"])
    assert first["status"] in {"Preparing", "Queueing", "Processing", "Success"}
    done = await _finished_video(api, minimax_emulator, resolution="1080P")
    assert done["status"] == "Success"
    assert isinstance(done["file_id"], str)
    assert (done["video_width"], done["video_height"]) == (1920, 1080)
    assert done["base_resp"] == {"status_code": 0, "status_msg": "success"}


async def test_retrieve_gives_numeric_file_id_and_a_url_serving_exactly_bytes(
    api: Caller, minimax_emulator: Emulator
) -> None:
    done = await _finished_video(api, minimax_emulator, duration=10)
    retrieved = await api.retrieve(str(done["file_id"]))
    file = retrieved["file"]
    assert file["file_id"] == int(str(done["file_id"]))
    assert type(file["file_id"]) is int
    assert file["filename"] == "output.mp4"
    assert file["purpose"] == "video_generation"
    assert isinstance(file["created_at"], int)
    async with api.http.get(file["download_url"]) as resp:
        assert resp.status == 200
        content = await resp.read()
    assert len(content) == file["bytes"]
    expected = minimax_emulator.files[str(done["file_id"])].path
    assert expected.name == "768P_10s.mp4"
    assert content == expected.read_bytes()


async def test_retrieve_content_serves_the_raw_file(
    api: Caller, minimax_emulator: Emulator
) -> None:
    done = await _finished_video(api, minimax_emulator)
    url = f"{api.base_url}/v1/files/retrieve_content"
    async with api.http.get(url, params={"file_id": str(done["file_id"])}) as resp:
        assert resp.status == 200
        assert resp.headers["Trace-Id"]
        content = await resp.read()
    assert content == minimax_emulator.files[str(done["file_id"])].path.read_bytes()


async def test_retrieve_content_of_unknown_file_is_2013(api: Caller) -> None:
    body = await api.get("/v1/files/retrieve_content", file_id="123456789012345")
    assert body["base_resp"] == {
        "status_code": 2013,
        "status_msg": "invalid params, file_id not found",
    }


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/v1/query/video_generation", {"task_id": "999999999999999999"}, "task_id not found"),
        ("/v1/query/video_generation", {}, "task_id: required"),
        ("/v1/query/video_template_generation", {"task_id": "1"}, "task_id not found"),
        ("/v1/files/retrieve", {"file_id": "12345"}, "file_id not found"),
        ("/v1/files/retrieve", {"file_id": "abc"}, "file_id='abc': must be an integer"),
        ("/v1/files/retrieve", {}, "file_id: required"),
    ],
)
async def test_unknown_or_missing_ids_are_2013(
    api: Caller, path: str, params: dict[str, str], message: str
) -> None:
    body = await api.get(path, **params)
    assert body["base_resp"]["status_code"] == 2013
    assert body["base_resp"]["status_msg"] == f"invalid params, {message}"


async def test_a_video_task_is_not_visible_on_the_agent_query(api: Caller) -> None:
    created = await api.create(**T2V)
    body = await api.query_agent(created["task_id"])
    assert body["base_resp"]["status_code"] == 2013


async def test_agent_task_returns_a_playable_video_url(
    api: Caller, minimax_emulator: Emulator
) -> None:
    created = await api.create_agent(template_id=ANIME, text_inputs=[{"value": "a school day"}])
    assert created["base_resp"]["status_code"] == 0
    task = await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    assert task.kind == "agent"
    assert Status.QUEUEING not in task.history
    body = await api.query_agent(created["task_id"])
    assert body["status"] == "Success"
    assert "file_id" not in body
    async with api.http.get(body["video_url"]) as resp:
        assert resp.status == 200
        assert await resp.read() == task.asset.read_bytes()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nothing"),
        ("GET", "/v1/video_generation"),
        ("POST", "/v1/query/video_generation"),
        ("GET", "/v2/no_such_route"),
        ("GET", "/download/unknown-token/output.mp4"),
    ],
)
async def test_anything_else_is_404_with_a_trace_id(
    minimax_emulator: Emulator, method: str, path: str
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, minimax_emulator.base_url + path) as resp,
    ):
        assert resp.status == 404
        assert resp.headers["Trace-Id"]
    assert minimax_emulator.requests[-1].http_status == 404


async def test_requests_are_recorded_with_their_answers(
    api: Caller, minimax_emulator: Emulator
) -> None:
    created = await api.create(**T2V)
    await api.query(created["task_id"])
    create, query = minimax_emulator.requests
    assert (create.method, create.path, create.json) == ("POST", "/v1/video_generation", T2V)
    assert create.status_code == 0
    assert create.task_id == created["task_id"]
    assert query.query == {"task_id": created["task_id"]}
    assert query.json is None
    assert query.http_status == 200
    assert create.trace_id != query.trace_id
