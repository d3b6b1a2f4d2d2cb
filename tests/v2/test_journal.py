"""V2 tasks in the journal: intent before the send, resume, handlers once, the 7-day
window (a task older than it is reported, never re-attached or polled)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from minimax_async import AsyncMiniMax, SQLiteJournal, V2Prompt, V2PromptTask, V2Video, V2VideoTask
from minimax_async.durable import JournalEntry
from minimax_async.emulator import Emulator, EmulatorConfig
from minimax_async.models import V2Snapshot

DEADLINE = 30.0
KEY = "v2-journal-key"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(config=EmulatorConfig(time_scale=0.02, seed=5)) as emulator:
        yield emulator


def _client(emu: Emulator, path: Path) -> AsyncMiniMax:
    return AsyncMiniMax(
        api_key=KEY,
        base_url=emu.base_url,
        rpm=None,
        poll_interval=0.05,
        journal=SQLiteJournal(path, synchronous="NORMAL"),
    )


async def test_a_v2_task_is_journaled_resumed_and_handled_once(
    emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "j.db"
    ran: Counter[str] = Counter()

    async def save(entry: JournalEntry) -> None:
        assert entry.snapshot is not None
        ran[entry.snapshot.video_url or ""] += 1

    with anyio.fail_after(DEADLINE):
        async with _client(emu, path) as first:
            created = [
                await first.video.create(model="MiniMax-H3", prompt=f"shot {n}") for n in range(2)
            ]
            journal = first.journal
            assert journal is not None
            entries = await journal.entries()
            assert {(e.kind, e.state) for e in entries} == {("v2", "submitted")}
        # "Restart": only the journal file survives.
        async with _client(emu, path) as second:
            second.on_result("v2", save)
            report = await second.resume()
            assert sorted(t.task_id for t in report.tasks) == sorted(t.task_id for t in created)
            assert all(isinstance(t, V2VideoTask) for t in report.tasks)
            videos = await asyncio.gather(*(t.result() for t in report.tasks))
            await second.drain()
            again = await second.resume()
            assert second.journal is not None
            stored = [e.snapshot for e in await second.journal.entries()]
    assert all(isinstance(v, V2Video) and v.url for v in videos)
    # Read back from SQLite, a finished entry holds the V2 task, not a raw dict.
    urls = {v.url for v in videos if isinstance(v, V2Video)}
    assert {
        s.task.content.url for s in stored if isinstance(s, V2Snapshot) and s.task.content
    } == urls
    assert sum(ran.values()) == 2
    assert len(ran) == 2  # once per task
    assert again.tasks == []
    assert len(emu.requests_to("/v2/video_generation")) == 2  # nothing was sent twice


async def test_a_context_ir_task_resumes_as_a_prompt_task_beside_a_video_task(
    emu: Emulator, tmp_path: Path
) -> None:
    # Both are kind "v2" and share the query endpoint; only the journaled endpoint
    # tells them apart, so each comes back with the handle whose result() fits it.
    path = tmp_path / "j.db"
    with anyio.fail_after(DEADLINE):
        async with _client(emu, path) as first:
            ir = await first.video.v2.context_ir(prompt="Gulls at dusk", ratio="16:9")
            video = await first.video.create(model="MiniMax-H3", prompt="Gulls at dusk")
            journal = first.journal
            assert journal is not None
            endpoints = {e.task_id: e.endpoint for e in await journal.entries()}
        assert endpoints == {
            ir.task_id: "/v2/h3_context_ir",
            video.task_id: "/v2/video_generation",
        }
        handled: list[str] = []

        async def record(entry: JournalEntry) -> None:
            handled.append(entry.task_id or "")

        async with _client(emu, path) as second:
            second.on_result("v2", record)
            report = await second.resume()
            by_id = {t.task_id: t for t in report.tasks}
            resumed_ir, resumed_video = by_id[ir.task_id], by_id[video.task_id]
            assert isinstance(resumed_ir, V2PromptTask)
            assert isinstance(resumed_video, V2VideoTask)
            prompt = await resumed_ir.result()
            clip = await resumed_video.result()
            await second.drain()
    assert isinstance(prompt, V2Prompt)
    assert prompt.prompt
    assert isinstance(clip, V2Video)
    assert clip.url
    assert sorted(handled) == sorted([ir.task_id, video.task_id])


async def test_an_entry_without_an_endpoint_still_loads_as_before() -> None:
    entry = JournalEntry.from_json(
        '{"key":"k","kind":"v2","fingerprint":"sha256:0","body":{},"state":"submitted",'
        '"task_id":"1","status":"Queueing"}'
    )
    assert entry.endpoint is None
    assert JournalEntry.from_json(
        entry.evolve(endpoint="/v2/h3_context_ir").to_json()
    ).endpoint == ("/v2/h3_context_ir")


async def test_a_journaled_v2_task_past_the_7_day_window_is_reported_not_polled(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.db"
    emu.config.v2_queued_seconds = 3600.0  # still queued when the process "dies"
    async with _client(emu, path) as first:
        task = await first.video.create(model="MiniMax-H3", prompt="a long wait")
    # Eight days later (the journal's clock and MiniMax's both move on).
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    emu.advance(8 * 24 * 3600)
    before = len(emu.requests_to(f"/v2/query/video_generation/{task.task_id}"))
    async with _client(emu, path) as second:
        report = await second.resume()
    assert report.tasks == []
    assert [e.task_id for e in report.expired] == [task.task_id]
    assert len(emu.requests_to(f"/v2/query/video_generation/{task.task_id}")) == before
