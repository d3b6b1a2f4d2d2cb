"""The in-process contract other parts of the project code against."""

from __future__ import annotations

import aiohttp

from minimax_async import TaskStatus
from minimax_async.emulator import Emulator, EmulatorConfig


async def test_text_to_video_round_trip(minimax_emulator: Emulator, minimax_api_key: str) -> None:
    headers = {"Authorization": f"Bearer {minimax_api_key}"}
    base = minimax_emulator.base_url
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.post(
            f"{base}/v1/video_generation", json={"model": "T2V-01", "prompt": "a fox"}
        ) as resp:
            created = await resp.json()
        task_id = created["task_id"]
        assert isinstance(task_id, str)
        assert len(task_id) == 18
        assert task_id.isdigit()
        await minimax_emulator.wait_for_status(task_id, TaskStatus.SUCCESS)
        async with http.get(
            f"{base}/v1/query/video_generation", params={"task_id": task_id}
        ) as resp:
            body = await resp.json()
    assert body["status"] == "Success"
    assert (body["video_width"], body["video_height"]) == (1280, 720)
    assert minimax_emulator.tasks[task_id].kind == "video"
    assert [r.path for r in minimax_emulator.requests] == [
        "/v1/video_generation",
        "/v1/query/video_generation",
    ]


async def test_port_zero_binds_an_ephemeral_port() -> None:
    async with Emulator(config=EmulatorConfig(time_scale=0.01)) as emu:
        assert emu.base_url.startswith("http://127.0.0.1:")
        assert emu.port != 0
