"""``Emulator(state_file=...)`` with V2: H3 tasks, their schedules and uploads outlive
the emulator; older state files and garbled lines load without harm."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from minimax_async.emulator import Emulator, EmulatorConfig, Status, V2Status
from minimax_async.emulator._media import VIDEOS_DIR
from tests.emulator._v2 import b64, item, t2v, text, v2_caller
from tests.images import png

KEY = "saved-state-key"
SLOW = 600.0  # the knobs of the later emulators: a restored task must not follow them


def _config(*, queued: float, running: float) -> EmulatorConfig:
    return EmulatorConfig(v2_queued_seconds=queued, v2_running_seconds=running, seed=3)


def _lines(state: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in state.read_text().splitlines()]


def _last_v2_line(state: Path, task_id: str) -> dict[str, Any]:
    return [line for line in _lines(state) if line.get("v2_task", {}).get("task_id") == task_id][-1]


async def _download(http: aiohttp.ClientSession, url: str) -> bytes:
    async with http.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.read()


async def test_a_v2_task_goes_on_in_the_next_emulator_at_its_saved_times(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.jsonl"
    image = b64(png(1280, 720), "image/png")  # inline media: must not reach the file
    body = t2v(content=[text("a gull"), item("image_url", image, "reference_image")])
    async with Emulator(config=_config(queued=0.0, running=1.5), state_file=state) as first:
        async with v2_caller(first.base_url, KEY) as v2:
            task_id = await v2.created(body)
        await first.wait_for_v2_status(task_id, "running")
    # The first emulator is gone mid-render; its line says when the task succeeds.
    [_, (final, succeeded_at)] = _last_v2_line(state, task_id)["schedule"]
    assert final == "succeeded"
    async with Emulator(config=_config(queued=SLOW, running=SLOW), state_file=state) as second:
        async with v2_caller(second.base_url, KEY) as v2:
            assert (await v2.task(task_id))["status"] in ("running", "succeeded")
            task = await second.wait_for_v2_status(task_id, "succeeded")
            answer = await v2.task(task_id)
            video = await _download(v2.http, answer["content"]["url"])
        assert answer["content"]["url"].startswith(second.base_url)
    assert task.history == [V2Status.QUEUED, V2Status.RUNNING, V2Status.SUCCEEDED]
    assert task.history_times[-1] >= succeeded_at - 0.05  # on its schedule, not at once
    assert answer["usage"]["input_image_count"] == 1  # from the facts kept, not the body
    assert task.asset is not None
    assert video == task.asset.read_bytes()
    # A third emulator restores it finished, with a link of its own.
    async with Emulator(config=_config(queued=SLOW, running=SLOW), state_file=state) as third:
        restored = third.v2_tasks[task_id]
        assert restored.history == task.history
        assert restored.content_url is not None
        assert restored.content_url.startswith(third.base_url)
        async with v2_caller(third.base_url, KEY) as v2:
            answer = await v2.task(task_id)
            assert await _download(v2.http, answer["content"]["url"]) == video
    line = _last_v2_line(state, task_id)
    assert line["v2_task"]["request"] == {"content": [text("a gull")]}
    assert "base64" not in state.read_text()


async def test_past_times_finish_at_once_cancelled_stays_and_uploads_resolve(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.jsonl"
    first = Emulator(config=_config(queued=SLOW, running=SLOW), state_file=state)
    async with first, v2_caller(first.base_url, KEY) as v2:
        cancelled = await v2.created(t2v())
        status, _ = await v2.delete(cancelled)
        assert status == 200
        late = await v2.created(t2v())
        status, uploaded = await v2.upload(png(640, 480))
        assert status == 200
    file_id = str(uploaded["file"]["file_id"])
    # As if the machine had been off past every saved time.
    lines = _lines(state)
    for line in lines:
        for step in line.get("schedule", []):
            step[1] -= 2 * SLOW
    state.write_text("".join(json.dumps(line) + "\n" for line in lines))
    async with Emulator(config=_config(queued=SLOW, running=SLOW), state_file=state) as second:
        # Restored first (it was created first): had it been resumed, it would be done too.
        await second.wait_for_v2_status(late, "succeeded", timeout=10)
        assert second.v2_tasks[cancelled].history == [V2Status.QUEUED, V2Status.CANCELLED]
        async with v2_caller(second.base_url, KEY) as v2:
            assert (await v2.task(cancelled))["status"] == "cancelled"
            status, again = await v2.delete(cancelled)
            assert status == 400
            assert "already cancelled" in again["error"]["message"]
            reference = item("image_url", f"mm_file://{file_id}", "reference_image")
            status, created = await v2.create(t2v(content=[text(), reference], ratio="adaptive"))
            assert status == 200, created
            status, missing = await v2.create(
                t2v(content=[text(), item("image_url", "mm_file://1", "reference_image")])
            )
            assert status == 400, missing
            status, listed = await v2.call(
                "GET", "/v1/files/list", params={"purpose": "video_generation_input"}
            )
    task = second.v2_tasks[created["task_id"]]
    assert [(m.kind, m.width, m.height) for m in task.media] == [("image", 640, 480)]
    assert task.ratio == "4:3"  # adaptive, from the upload's header as restored
    assert [str(f["file_id"]) for f in listed["files"]] == [file_id]


def _old_v1_lines(now: float | None = None, task_id: str = "783268451013967869") -> str:
    """A finished V1 task and its file, as emulators before V2 was kept wrote them."""
    now = time.time() if now is None else now
    asset = str(VIDEOS_DIR / "768P_6s.mp4")
    task = {
        "task_id": task_id, "kind": "video", "request": {},
        "owner": "8254c329a92850f6", "asset": asset, "resolution": "768P", "duration": 6,
        "width": 1366, "height": 768, "failure_code": None, "callback_url": None,
        "status": "Success", "history": ["Preparing", "Queueing", "Processing", "Success"],
        "history_times": [now, now, now, now], "file_id": "246842974329674",
        "video_url": None, "video_url_expires": 0.0, "created_at": int(now),
    }  # fmt: skip
    file = {
        "file_id": "246842974329674", "owner": "8254c329a92850f6", "path": asset,
        "bytes": 13906, "created_at": int(now), "filename": "output.mp4",
        "purpose": "video_generation",
    }  # fmt: skip
    schedule = [["Queueing", now], ["Processing", now], ["Success", now]]
    return json.dumps({"task": task, "schedule": schedule}) + "\n" + json.dumps({"file": file})


async def test_an_old_state_file_loads_and_garbled_v2_lines_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "state.jsonl"
    async with Emulator(config=_config(queued=0.0, running=0.0), state_file=state) as first:
        async with v2_caller(first.base_url, KEY) as v2:
            good = await v2.created(t2v())
        await first.wait_for_v2_status(good, "succeeded")
    [valid] = [line for line in _lines(state) if line["v2_task"]["status"] == "succeeded"]
    bogus = {**valid, "v2_task": {**valid["v2_task"], "task_id": "1", "status": "bogus"}}
    garbled = [
        {"v2_task": {"task_id": "2"}, "schedule": []},  # fields missing
        bogus,  # a status no V2 task has
        {"v2_file": {"file_id": "3", "born": "yesterday"}},
        {"v3_task": {"task_id": "4"}},  # a kind from some later emulator
    ]
    text_lines = [_old_v1_lines(), *(json.dumps(line) for line in garbled), '{"v2_task": {"ta']
    state.write_text("\n".join(text_lines) + "\n" + json.dumps(valid) + "\n")
    caplog.set_level(logging.WARNING, logger="minimax_async.emulator._saved")
    async with Emulator(config=_config(queued=0.0, running=0.0), state_file=state) as second:
        assert second.tasks["783268451013967869"].status is Status.SUCCESS
        assert "246842974329674" in second.files
        assert set(second.v2_tasks) == {good}
        assert second.uploads == {}
        async with v2_caller(second.base_url, KEY) as v2:
            assert (await v2.task(good))["status"] == "succeeded"
            newer = await v2.created(t2v())  # and it goes on saving
        await second.wait_for_v2_status(newer, "succeeded")
    skipped = [r.getMessage() for r in caplog.records if "unreadable, skipped" in r.getMessage()]
    assert [message.split(" line ")[1].split()[0] for message in skipped] == [
        "3", "4", "5", "6", "7",
    ]  # fmt: skip
    last = json.loads(state.read_text().splitlines()[-1])  # the garbled lines stay behind
    assert (last["v2_task"]["task_id"], last["v2_task"]["status"]) == (newer, "succeeded")


async def test_compaction_keeps_the_last_day_of_v2_tasks_and_uploads(tmp_path: Path) -> None:
    state = tmp_path / "state.jsonl"
    first = Emulator(config=_config(queued=0.0, running=0.0), state_file=state)
    async with first, v2_caller(first.base_url, KEY) as v2:
        recent = await v2.created(t2v())
        await first.wait_for_v2_status(recent, "succeeded")
        _, uploaded = await v2.upload(png(640, 480))
    [task_line] = [
        line for line in _lines(state) if line.get("v2_task", {}).get("status") == "succeeded"
    ]
    [upload_line] = [line for line in _lines(state) if "v2_file" in line]
    two_days_ago = time.time() - 2 * 86400
    old_task = {
        **task_line,
        "v2_task": {**task_line["v2_task"], "task_id": "1", "born": two_days_ago},
    }
    old_upload = {"v2_file": {**upload_line["v2_file"], "file_id": "2", "born": two_days_ago}}
    # Past the 4 MB mark with V1 tasks of two days ago.
    padding = [_old_v1_lines(two_days_ago, str(10**17 + n)) for n in range(5000)]
    lines = [*padding, json.dumps(old_task), json.dumps(old_upload)]
    state.write_text("\n".join([*lines, json.dumps(task_line), json.dumps(upload_line)]) + "\n")
    assert state.stat().st_size > 4 << 20
    async with Emulator(config=_config(queued=0.0, running=0.0), state_file=state) as second:
        assert set(second.v2_tasks) == {recent}
        assert set(second.uploads) == {str(uploaded["file"]["file_id"])}
        assert dict(second.tasks) == {}
    assert state.stat().st_size < 10_000
    assert _lines(state) == [task_line, upload_line]
