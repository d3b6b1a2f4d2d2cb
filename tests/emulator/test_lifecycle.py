"""Task lifecycle, event-based waiting, link expiry and clean shutdown."""

from __future__ import annotations

import aiohttp
import pytest

from minimax_async import TaskStatus
from minimax_async.emulator import Emulator, EmulatorConfig, Status
from tests.emulator._helpers import Caller, caller

T2V = {"model": "MiniMax-Hailuo-02", "prompt": "a kite"}
ANIME = {"template_id": "394514820878671878", "text_inputs": [{"value": "x"}]}


async def _status(url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        await resp.read()
        return resp.status


async def test_video_tasks_pass_through_every_state(
    api: Caller, minimax_emulator: Emulator
) -> None:
    created = await api.create(**T2V)
    task = await minimax_emulator.wait_for_status(created["task_id"], "success")
    assert task.history == [
        Status.PREPARING,
        Status.QUEUEING,
        Status.PROCESSING,
        Status.SUCCESS,
    ]
    # Waiting for a state already passed returns at once.
    assert await minimax_emulator.wait_for_status(task.task_id, Status.QUEUEING) is task


async def test_agent_tasks_skip_queueing(api: Caller, minimax_emulator: Emulator) -> None:
    created = await api.create_agent(**ANIME)
    task = await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    assert task.history == [Status.PREPARING, Status.PROCESSING, Status.SUCCESS]


async def test_a_task_stays_in_a_stage_for_its_duration(
    api: Caller, minimax_emulator: Emulator
) -> None:
    minimax_emulator.config.preparing_seconds = 100_000.0
    created = await api.create(**T2V)
    body = await api.query(created["task_id"])
    assert body == {
        "task_id": created["task_id"],
        "status": "Preparing",
        "base_resp": {"status_code": 0, "status_msg": "success"},
    }


async def test_waiting_for_an_unknown_task_times_out(minimax_emulator: Emulator) -> None:
    with pytest.raises(TimeoutError):
        await minimax_emulator.wait_for_status("123", TaskStatus.SUCCESS, timeout=0.05)


async def test_download_url_expires_and_a_new_retrieve_mints_a_fresh_one(
    api: Caller, minimax_emulator: Emulator
) -> None:
    assert minimax_emulator.config.download_url_ttl == 3600.0
    created = await api.create(**T2V)
    await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    file_id = (await api.query(created["task_id"]))["file_id"]
    minimax_emulator.config.download_url_ttl = 0.0  # expires the moment it is minted
    stale = (await api.retrieve(file_id))["file"]["download_url"]
    assert await _status(stale) == 403
    minimax_emulator.config.download_url_ttl = 3600.0
    fresh = (await api.retrieve(file_id))["file"]["download_url"]
    assert fresh != stale
    assert await _status(fresh) == 200
    assert await _status(stale) == 403


async def test_agent_video_url_expires_and_a_query_renews_it(
    api: Caller, minimax_emulator: Emulator
) -> None:
    assert minimax_emulator.config.agent_url_ttl == 32400.0
    minimax_emulator.config.agent_url_ttl = 0.0
    created = await api.create_agent(**ANIME)
    await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    stale = minimax_emulator.tasks[created["task_id"]].video_url
    assert stale is not None
    assert await _status(stale) == 403
    minimax_emulator.config.agent_url_ttl = 32400.0
    fresh = (await api.query_agent(created["task_id"]))["video_url"]
    assert fresh != stale
    assert await _status(fresh) == 200
    # A still-valid URL is handed out unchanged.
    assert (await api.query_agent(created["task_id"]))["video_url"] == fresh


async def test_downloads_honour_range_requests(api: Caller, minimax_emulator: Emulator) -> None:
    created = await api.create(**T2V)
    await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    file_id = (await api.query(created["task_id"]))["file_id"]
    file = (await api.retrieve(file_id))["file"]
    async with api.http.get(file["download_url"], headers={"Range": "bytes=100-"}) as resp:
        assert resp.status == 206
        tail = await resp.read()
    assert len(tail) == file["bytes"] - 100


async def test_closing_mid_lifecycle_is_clean() -> None:
    # filterwarnings=error turns any leaked task or unclosed session into a failure.
    config = EmulatorConfig(time_scale=1.0, preparing_seconds=1000.0, push_delay=1000.0)
    async with Emulator(config=config) as emu, caller(emu.base_url, "k") as api:
        created = await api.create(**T2V)
        assert emu.tasks[created["task_id"]].status == Status.PREPARING
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.base_url


def test_config_rejects_nonsense_naming_the_knob() -> None:
    with pytest.raises(ValueError, match="failure_code=1000"):
        EmulatorConfig(failure_code=1000)
    with pytest.raises(ValueError, match=r"push_drop_rate=1\.5"):
        EmulatorConfig(push_drop_rate=1.5)
    with pytest.raises(ValueError, match="http_error_status=404"):
        EmulatorConfig(http_error_status=404)
    with pytest.raises(ValueError, match="time_scale=-1"):
        EmulatorConfig(time_scale=-1)
