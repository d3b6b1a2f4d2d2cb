"""What only the JSON Lines journal does: replay, torn tails, one process at a time."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest

from minimax_async import TaskStatus
from minimax_async._exceptions import JournalLockedError
from minimax_async.durable import JSONLJournal
from minimax_async.durable._records import new_entry
from minimax_async.models import TaskSnapshot


async def test_reopening_replays_every_change(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    async with JSONLJournal(path) as first:
        await first.record_intent(new_entry("a", "video", {"prompt": "a"}))
        await first.record_task("a", "111")
        await first.record_status("111", TaskStatus.PROCESSING)
        await first.record_intent(new_entry("b", "video", {"prompt": "b"}))
        snap = TaskSnapshot.model_validate({"task_id": "111", "status": "Success", "file_id": "9"})
        await first.record_result(snap)
        assert await first.claim_handler("111", owner="me", lease=60)
    async with JSONLJournal(path) as second:
        a = await second.get("a")
        b = await second.get("b")
        assert not await second.claim_handler("111", owner="other", lease=60)
    assert a is not None
    assert b is not None
    assert (a.state, a.task_id, a.snapshot and a.snapshot.file_id) == ("finished", "111", "9")
    assert b.ambiguous
    # Every line is one whole JSON object: jq-able, greppable.
    assert all(json.loads(line) for line in path.read_text().splitlines())


async def test_a_torn_tail_is_cut_before_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    async with JSONLJournal(path) as journal:
        await journal.record_intent(new_entry("a", "video", {"prompt": "a"}))
    with path.open("ab") as file:
        file.write(b'{"key": "a", "state": "subm')  # killed mid-write
    async with JSONLJournal(path) as journal:
        entry = await journal.get("a")
        assert entry is not None
        assert entry.ambiguous
        await journal.record_task("a", "42")
    lines = path.read_text().splitlines()
    assert [json.loads(line)["state"] for line in lines] == ["intent", "submitted"]


async def test_an_unreadable_middle_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    good = new_entry("a", "video", {"prompt": "a"}).to_json()
    path.write_text(f"garbage\n{good}\n")
    async with JSONLJournal(path) as journal:
        assert [e.key for e in await journal.entries()] == ["a"]


async def test_a_second_process_is_locked_out(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    probe = (
        "import asyncio, sys\n"
        "from minimax_async.durable import JSONLJournal\n"
        "from minimax_async._exceptions import JournalLockedError\n"
        "try:\n"
        "    asyncio.run(JSONLJournal(sys.argv[1]).start())\n"
        "except JournalLockedError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    async with JSONLJournal(path):
        held = await anyio.run_process([sys.executable, "-c", probe, str(path)], check=False)
        with pytest.raises(JournalLockedError):
            await JSONLJournal(path).start()  # another descriptor, even in-process
    assert held.returncode == 3, held.stderr
    assert b"in use by another process" in held.stdout
    free = await anyio.run_process([sys.executable, "-c", probe, str(path)], check=False)
    assert free.returncode == 0


async def test_pruning_is_for_good_and_runs_at_start(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    async with JSONLJournal(path, retention=None) as first:
        for key in ("a", "b"):
            await first.record_intent(new_entry(key, "video", {"prompt": key}))
        await first.record_refused("a", "InvalidRequestError: bad")
        assert await first.prune(older_than=0) == 1
    async with JSONLJournal(path, retention=None) as second:
        assert [e.key for e in await second.entries()] == ["b"]  # "a" did not come back
        await second.record_refused("b", "InvalidRequestError: bad")
    # retention=0: everything closed is due, and start() prunes by itself.
    async with JSONLJournal(path, retention=0) as third:
        assert await third.entries() == []
