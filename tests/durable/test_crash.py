"""kill -9 in the middle of a batch, restart, resume: zero lost results, zero duplicate
creates. One worker process, polling only, its journal in SQLite; the emulator runs in
the test process and counts every create it received."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import anyio

from minimax_async.durable import SQLiteJournal
from minimax_async.emulator import Emulator, EmulatorConfig
from tests.durable._procs import Worker

DEADLINE = 50.0
BATCH = 100
CREATE = "/v1/video_generation"


async def test_kill_9_mid_batch_then_resume_loses_and_resends_nothing(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.db"
    config = EmulatorConfig(time_scale=0.05, seed=13)
    async with Emulator(config=config) as emu:
        args = ["--base-url", emu.base_url, "--journal", f"sqlite={journal_path}"]
        worker = Worker("batch", [*args, "--count", str(BATCH), "--quiet", "0.2"], tmp_path / "o")
        try:
            with anyio.fail_after(DEADLINE):
                await worker.start()
                await worker.until_created(BATCH * 2 // 5)
                await worker.kill()  # SIGKILL: mid-batch, creates and polls in flight
                killed_after = len(worker.created)
                await worker.start("--resume")
                report = await worker.wait()
        finally:
            await worker.stop()
    assert killed_after < BATCH, "the kill came after the batch ended"
    sent = Counter(str(r.json["prompt"]) for r in emu.requests_to(CREATE) if r.task_id)
    assert max(sent.values()) == 1, "a create was sent twice"
    ambiguous = set(report["ambiguous"])
    assert {f"batch #{n}" for n in range(BATCH)} - set(sent) <= ambiguous
    delivered: dict[str, str] = {}
    for task_id, file_id in worker.results:
        assert task_id not in delivered, f"{task_id} delivered twice"
        delivered[task_id] = file_id
    async with SQLiteJournal(journal_path) as journal:
        for task_id, task in emu.tasks.items():
            if str(task.request["prompt"]) in ambiguous:
                continue  # reported for reconciliation, never resent
            if task_id not in delivered:
                # Journaled just before the kill, not announced: the journal has it.
                entry = await journal.get_task(task_id)
                assert entry is not None
                assert entry.snapshot is not None, f"result of {task_id} lost"
                delivered[task_id] = entry.snapshot.file_id or ""
            assert delivered[task_id] == task.file_id
        assert await journal.entries(("submitted",)) == []  # nothing left unfinished
