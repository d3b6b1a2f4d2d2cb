"""``Emulator(state_file=...)``: tasks, files and timings outlive the emulator."""

from __future__ import annotations

import json
from pathlib import Path

from minimax_async.emulator import Emulator, EmulatorConfig, Status
from tests.emulator._helpers import caller

T2V = {"model": "MiniMax-Hailuo-02", "prompt": "a kite"}
ANIME = {"template_id": "394514820878671878", "text_inputs": [{"value": "x"}]}
KEY = "saved-state-key"


def _config(processing: float) -> EmulatorConfig:
    return EmulatorConfig(
        preparing_seconds=0.0, queueing_seconds=0.0, processing_seconds=processing, seed=3
    )


async def test_a_task_goes_on_in_the_next_emulator_at_its_saved_times(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    async with Emulator(config=_config(0.3), state_file=state) as first:
        async with caller(first.base_url, KEY) as api:
            created = await api.create(**T2V)
        await first.wait_for_status(created["task_id"], "processing")
    # The first emulator is gone before the task finished; the second finishes it.
    async with Emulator(config=_config(600.0), state_file=state) as second:
        task = await second.wait_for_status(created["task_id"], "success")
        assert task.history[-1] is Status.SUCCESS
        async with caller(second.base_url, KEY) as api:
            answer = await api.query(created["task_id"])
            assert answer["file_id"] == task.file_id
            file = await api.get("/v1/files/retrieve", file_id=str(task.file_id))
    async with Emulator(config=_config(600.0), state_file=state) as third:
        assert third.tasks[created["task_id"]].file_id == task.file_id  # not minted again
        assert str(task.file_id) in third.files
    assert file["file"]["download_url"]
    # No create body is kept: they can hold 20 MB images.
    lines = [json.loads(line) for line in state.read_text().splitlines()]
    assert all(line["task"]["request"] == {} for line in lines if "task" in line)


async def test_a_finished_agent_task_gets_a_fresh_video_url(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    async with Emulator(config=_config(0.0), state_file=state) as first:
        async with caller(first.base_url, KEY) as api:
            created = await api.create_agent(**ANIME)
        await first.wait_for_status(created["task_id"], "success")
    async with Emulator(config=_config(0.0), state_file=state) as second:
        task = second.tasks[created["task_id"]]
        assert task.status is Status.SUCCESS
        assert task.video_url is not None
        assert task.video_url.startswith(second.base_url)


async def test_an_unreadable_line_is_skipped(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    state.write_text("not json\n")
    async with Emulator(config=_config(0.0), state_file=state) as emulator:
        assert dict(emulator.tasks) == {}
