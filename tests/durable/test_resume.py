"""The client with a journal, in process against the emulator: intents before sends,
resume after a restart, ambiguous creates surfaced and never resent, result handlers
run exactly once per finished task across restarts."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from minimax_async import AmbiguousCreateError, RateLimitError, TaskStatus, Video, VideoAgentTask
from minimax_async._client import AsyncMiniMax
from minimax_async.callbacks import CallbackServer
from minimax_async.durable import JournalEntry, MemoryJournal, SQLiteJournal, fingerprint
from minimax_async.emulator import Emulator, EmulatorConfig
from minimax_async.models import TaskSnapshot

DEADLINE = 30.0
CREATE = "/v1/video_generation"
ANIME = "394514820878671878"  # a Video Agent template with a text input only


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(config=EmulatorConfig(time_scale=0.02, seed=9)) as emulator:
        yield emulator


def _client(emu: Emulator, path: Path) -> AsyncMiniMax:
    return AsyncMiniMax(
        api_key="test-key-resume",
        base_url=emu.base_url,
        rpm=None,
        poll_interval=0.05,
        max_retries=0,
        journal=SQLiteJournal(path, synchronous="NORMAL"),
    )


def _creates(emu: Emulator) -> Counter[str]:
    return Counter(str(r.json["prompt"]) for r in emu.requests_to(CREATE))


async def test_the_intent_is_journaled_then_the_task_then_the_result(
    emu: Emulator, tmp_path: Path
) -> None:
    async with _client(emu, tmp_path / "j.db") as client:
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="a lighthouse")
            journal = client.journal
            assert journal is not None
            (entry,) = await journal.entries()
            assert (entry.state, entry.task_id, entry.kind) == ("submitted", task.task_id, "video")
            assert entry.fingerprint == fingerprint(emu.requests_to(CREATE)[0].json)
            video = await task.result()
        done = await journal.get_task(task.task_id)
    assert done is not None
    assert done.state == "finished"
    assert done.snapshot is not None
    assert done.snapshot.file_id == video.file_id


async def test_resume_reattaches_unfinished_tasks_after_a_restart(
    emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "j.db"
    with anyio.fail_after(DEADLINE):
        async with _client(emu, path) as first:
            created = [await first.video.create(prompt=f"shot {n}") for n in range(3)]
        # The process "restarts": nothing of the first client survives but the file.
        async with _client(emu, path) as second:
            report = await second.resume()
            assert sorted(t.task_id for t in report.tasks) == sorted(t.task_id for t in created)
            assert report.ambiguous == []
            videos = await asyncio.gather(*(t.result() for t in report.tasks))
            again = await second.resume()
    # report.tasks are typed handles: their results are Videos (narrowed for the file id).
    assert {v.file_id for v in videos if isinstance(v, Video)} == {
        emu.tasks[t.task_id].file_id for t in created
    }
    assert again.tasks == []  # finished: nothing left to re-attach
    assert set(_creates(emu).values()) == {1}  # nothing was sent twice


async def test_an_ambiguous_create_is_surfaced_and_never_resent(
    emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "j.db"
    emu.config.http_error_rate = 1.0  # the create answers 503: accepted or not, unknown
    with anyio.fail_after(DEADLINE):
        async with _client(emu, path) as first:
            with pytest.raises(AmbiguousCreateError) as caught:
                await first.video.create(prompt="maybe")
        emu.config.http_error_rate = 0.0
        async with _client(emu, path) as second:
            report = await second.resume()
            (entry,) = report.ambiguous
            assert entry.key == caught.value.client_key
            assert entry.body["prompt"] == "maybe"
            assert report.tasks == []
            await second.reconcile(entry.key, task_id=None)
            assert (await second.resume()).ambiguous == []
    assert len(emu.requests_to(CREATE)) == 1  # the 503'd one, and no resend


async def test_a_refused_create_is_not_ambiguous(emu: Emulator, tmp_path: Path) -> None:
    emu.config.rpm_limit = 0  # every create answers 1002: provably no task
    async with _client(emu, tmp_path / "j.db") as client:
        with anyio.fail_after(DEADLINE), pytest.raises(RateLimitError):
            await client.video.create(prompt="refused")
        report = await client.resume()
        journal = client.journal
        assert journal is not None
        (entry,) = await journal.entries()
    assert report.ambiguous == []
    assert entry.state == "refused"
    assert "RateLimitError" in (entry.error or "")


async def test_handlers_run_once_per_task_for_fire_and_forget(
    emu: Emulator, tmp_path: Path
) -> None:
    ran: Counter[str] = Counter()

    async def save(entry: JournalEntry) -> None:
        assert entry.snapshot is not None
        ran[entry.snapshot.file_id or ""] += 1

    async with _client(emu, tmp_path / "j.db") as client:
        client.on_result("video", save)
        with anyio.fail_after(DEADLINE):
            tasks = [await client.video.create(prompt=f"bg {n}") for n in range(4)]
            await client.drain()  # nobody awaits the tasks: the journal drives them
            await asyncio.gather(*(t.result() for t in tasks))  # a second delivery path
            await client.drain()
    assert ran == Counter({emu.tasks[t.task_id].file_id: 1 for t in tasks})


async def test_an_interrupted_handler_runs_again_after_restart(
    emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "j.db"
    started = asyncio.Event()
    completed: list[str] = []

    async def stuck(entry: JournalEntry) -> None:
        started.set()
        await asyncio.Event().wait()  # never finishes: the process goes down mid-way

    async def save(entry: JournalEntry) -> None:
        completed.append(entry.task_id or "")

    with anyio.fail_after(DEADLINE):
        async with _client(emu, path) as first:
            first.on_result("video", stuck)
            task = await first.video.create(prompt="interrupted")
            await started.wait()
        async with _client(emu, path) as second:
            second.on_result("video", save)
            report = await second.resume()
            assert report.handlers == 1
            await second.drain()
            assert (await second.resume()).handlers == 0
    assert completed == [task.task_id]


async def test_a_failing_handler_is_retried_by_the_next_resume(
    emu: Emulator, tmp_path: Path
) -> None:
    calls: list[str] = []

    async def flaky(entry: JournalEntry) -> None:
        calls.append(entry.task_id or "")
        if len(calls) == 1:
            raise RuntimeError("disk full")

    async with _client(emu, tmp_path / "j.db") as client:
        client.on_result("video", flaky)
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="flaky")
            await client.drain()
            assert (await client.resume()).handlers == 1
            await client.drain()
    assert calls == [task.task_id, task.task_id]


class _FlakyJournal(MemoryJournal):
    """Loses its connection right after the intent: task id and result writes fail."""

    async def record_task(self, key: str, task_id: str, *, trace_id: str | None = None) -> None:
        raise OSError("journal went away")

    async def record_result(self, snapshot: TaskSnapshot) -> bool:
        raise OSError("journal went away")


async def test_a_journal_failure_after_the_send_never_costs_the_task(emu: Emulator) -> None:
    journal = _FlakyJournal()
    async with AsyncMiniMax(
        api_key="test-key-resume", base_url=emu.base_url, rpm=None, poll_interval=0.05,
        journal=journal,
    ) as client:  # fmt: skip
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="kept")  # no exception: no resend urge
            video = await task.result()
            report = await client.resume()
    assert video.file_id == emu.tasks[task.task_id].file_id
    (entry,) = report.ambiguous  # the intent could not be closed: it is surfaced
    assert entry.body["prompt"] == "kept"


async def test_agent_tasks_and_pushed_statuses_are_journaled(tmp_path: Path) -> None:
    config = EmulatorConfig(time_scale=0.02, seed=4)
    callbacks = CallbackServer(confirm=False, quiet_period=600.0)
    async with (
        Emulator(config=config) as emu,
        AsyncMiniMax(
            api_key="test-key-resume",
            base_url=emu.base_url,
            rpm=None,
            callbacks=callbacks,
            journal=SQLiteJournal(tmp_path / "j.db"),
        ) as client,
    ):
        with anyio.fail_after(DEADLINE):
            task = await client.video_agent.create(template_id=ANIME, text_inputs=["a fox"])
            await emu.wait_for_pushes(
                lambda pushes: any(
                    p.task_id == task.task_id and p.body.get("status") == "processing"
                    for p in pushes
                    if p.delivered
                )
            )
            await client.drain()
            journal = client.journal
            assert journal is not None
            pushed = await journal.get_task(task.task_id)
            assert pushed is not None
            assert (pushed.state, pushed.status) == ("submitted", TaskStatus.PROCESSING)
            report = await client.resume()  # as a restarted process would see it
            (handle,) = report.tasks
            assert isinstance(handle, VideoAgentTask)
            video = await handle.result()
            await client.drain()
            entry = await journal.get_task(task.task_id)
    assert video.video_url == emu.tasks[task.task_id].video_url
    assert entry is not None
    assert (entry.kind, entry.state, entry.body["template_id"]) == ("agent", "finished", ANIME)
