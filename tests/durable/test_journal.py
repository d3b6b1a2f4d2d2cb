"""Every journal store follows the same rules: intents, forward-only status, one result,
exclusive handler claims, and no inline image is ever stored."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from minimax_async import TaskStatus
from minimax_async.durable import (
    JournalEntry,
    MemoryJournal,
    SQLiteJournal,
    TaskJournal,
    fingerprint,
)
from minimax_async.durable._records import new_entry
from minimax_async.models import TaskSnapshot

BIG_IMAGE = "data:image/png;base64," + base64.b64encode(b"\x89PNG" + b"x" * 300_000).decode()


def _body(prompt: str = "a lighthouse") -> dict[str, object]:
    return {"model": "MiniMax-Hailuo-2.3", "prompt": prompt, "first_frame_image": BIG_IMAGE}


def _snap(task_id: str, status: str, **extra: object) -> TaskSnapshot:
    return TaskSnapshot.model_validate({"task_id": task_id, "status": status, **extra})


async def test_intent_keeps_fingerprint_not_the_image(journal: TaskJournal) -> None:
    body = _body()
    entry = new_entry("k1", "video", body)
    await journal.record_intent(entry)
    stored = await journal.get("k1")
    assert stored is not None
    assert stored.ambiguous
    assert stored.task_id is None
    assert stored.fingerprint == fingerprint(body)
    assert stored.body["prompt"] == "a lighthouse"
    assert str(stored.body["first_frame_image"]).startswith("sha256:")
    assert len(stored.to_json()) < 2_000  # the 300 kB image is not in the record


async def test_a_key_is_recorded_once(journal: TaskJournal) -> None:
    await journal.record_intent(new_entry("k1", "video", _body()))
    with pytest.raises(ValueError, match="k1"):
        await journal.record_intent(new_entry("k1", "video", _body("other")))


async def test_lifecycle_statuses_only_move_forward(journal: TaskJournal) -> None:
    await journal.record_intent(new_entry("k1", "video", _body()))
    await journal.record_task("k1", "t1", trace_id="tr-1")
    assert await journal.record_status("t1", TaskStatus.PROCESSING)
    assert not await journal.record_status("t1", TaskStatus.QUEUEING)  # backwards
    assert not await journal.record_status("t1", TaskStatus.PROCESSING)  # duplicate
    entry = await journal.get_task("t1")
    assert entry is not None
    assert (entry.state, entry.status, entry.trace_id) == (
        "submitted",
        TaskStatus.PROCESSING,
        "tr-1",
    )
    done = _snap("t1", "Success", file_id="f1", video_width=1366, video_height=768)
    assert await journal.record_result(done)
    assert not await journal.record_result(_snap("t1", "Fail"))  # exactly once
    assert not await journal.record_status("t1", TaskStatus.PROCESSING)
    entry = await journal.get_task("t1")
    assert entry is not None
    assert entry.snapshot is not None
    assert entry.state == "finished"
    assert (entry.snapshot.file_id, entry.snapshot.video_width) == ("f1", 1366)


async def test_entries_filter_by_state_oldest_first(journal: TaskJournal) -> None:
    for index in range(4):
        await journal.record_intent(new_entry(f"k{index}", "video", _body(str(index))))
    await journal.record_task("k1", "t1")
    await journal.record_task("k2", "t2")
    await journal.record_result(_snap("t2", "Success", file_id="f"))
    await journal.record_refused("k3", "InvalidRequestError: bad")
    assert [e.key for e in await journal.entries()] == ["k0", "k1", "k2", "k3"]
    assert [e.key for e in await journal.entries(["intent", "submitted"])] == ["k0", "k1"]
    refused = await journal.get("k3")
    assert refused is not None
    assert refused.state == "refused"
    assert "bad" in (refused.error or "")


async def test_reconciling_an_ambiguous_intent(journal: TaskJournal) -> None:
    await journal.record_intent(new_entry("lost", "video", _body("a")))
    await journal.record_intent(new_entry("found", "agent", _body("b")))
    await journal.record_abandoned("lost")
    await journal.record_task("found", "t9")
    states = {e.key: e.state for e in await journal.entries()}
    assert states == {"lost": "abandoned", "found": "submitted"}


async def test_handler_claim_is_exclusive_until_done(journal: TaskJournal) -> None:
    await journal.record_intent(new_entry("k1", "video", _body()))
    await journal.record_task("k1", "t1")
    assert not await journal.claim_handler("t1", owner="a", lease=60)  # not finished yet
    await journal.record_result(_snap("t1", "Success", file_id="f"))
    assert await journal.claim_handler("t1", owner="a", lease=60)
    assert not await journal.claim_handler("t1", owner="b", lease=60)
    await journal.release_handler("t1", owner="b")  # not b's claim: no effect
    assert not await journal.claim_handler("t1", owner="b", lease=60)
    await journal.release_handler("t1", owner="a")  # a's handler failed
    assert await journal.claim_handler("t1", owner="b", lease=60)
    await journal.mark_handled("t1", owner="b")
    assert not await journal.claim_handler("t1", owner="a", lease=60)
    entry = await journal.get_task("t1")
    assert entry is not None
    assert entry.handled


async def test_an_expired_claim_can_be_taken_over(journal: TaskJournal) -> None:
    await journal.record_intent(new_entry("k1", "video", _body()))
    await journal.record_task("k1", "t1")
    await journal.record_result(_snap("t1", "Fail"))
    assert await journal.claim_handler("t1", owner="crashed", lease=-1.0)  # already stale
    assert await journal.claim_handler("t1", owner="b", lease=60)


async def test_unknown_keys_are_refused_clearly(journal: TaskJournal) -> None:
    with pytest.raises(KeyError, match="nope"):
        await journal.record_task("nope", "t1")
    assert await journal.get_task("t-unknown") is None
    assert not await journal.record_status("t-unknown", TaskStatus.PROCESSING)


async def test_sqlite_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    async with SQLiteJournal(path) as first:
        await first.record_intent(new_entry("k1", "video", _body()))
        await first.record_task("k1", "t1")
    async with SQLiteJournal(path) as second:
        entry = await second.get_task("t1")
    assert entry is not None
    assert entry.state == "submitted"


def test_entry_json_round_trip() -> None:
    entry = new_entry("k", "agent", {"template_id": "392753057216684038"}).evolve(
        state="finished",
        task_id="t",
        status=TaskStatus.SUCCESS,
        snapshot=_snap("t", "Success", video_url="https://x/v.mp4"),
        handled=True,
    )
    again = JournalEntry.from_json(entry.to_json())
    assert again == entry
    assert json.loads(entry.to_json())["snapshot"]


# --- retention: every store prunes closed entries after an age ----------------------


async def _one_of_each_state(journal: TaskJournal) -> None:
    for key in ("intent", "submitted", "finished", "refused", "abandoned"):
        await journal.record_intent(new_entry(key, "video", _body(key)))
    await journal.record_task("submitted", "t-sub")
    await journal.record_task("finished", "t-fin")
    await journal.record_result(_snap("t-fin", "Success", file_id="f"))
    assert await journal.claim_handler("t-fin", owner="a", lease=60)
    await journal.record_refused("refused", "InvalidRequestError: bad")
    await journal.record_abandoned("abandoned")


async def test_closed_entries_are_pruned_after_the_age_open_ones_never(
    journal: TaskJournal,
) -> None:
    await _one_of_each_state(journal)
    assert await journal.prune(older_than=3600) == 0  # closed a moment ago: kept
    assert len(await journal.entries()) == 5
    assert await journal.prune(older_than=0) == 3
    assert [e.key for e in await journal.entries()] == ["intent", "submitted"]
    assert [e.key for e in await journal.entries(["intent", "submitted"])] == [
        "intent",
        "submitted",
    ]
    assert await journal.get("finished") is None
    assert await journal.get_task("t-fin") is None  # the task mapping went too
    assert not await journal.claim_handler("t-fin", owner="b", lease=60)
    entry = await journal.get_task("t-sub")
    assert entry is not None
    assert entry.state == "submitted"
    assert await journal.prune(older_than=0) == 0


async def test_an_entry_records_when_it_closed(journal: TaskJournal) -> None:
    await _one_of_each_state(journal)
    for key in ("finished", "refused", "abandoned"):
        entry = await journal.get(key)
        assert entry is not None
        assert entry.closed_at is not None
        assert entry.closed_at >= entry.created_at
    for key in ("intent", "submitted"):
        entry = await journal.get(key)
        assert entry is not None
        assert entry.closed_at is None


async def test_a_refused_entry_that_reopens_is_not_pruned(journal: TaskJournal) -> None:
    await journal.record_intent(new_entry("k", "video", _body()))
    await journal.record_refused("k", "a challenge that timed out")
    await journal.record_task("k", "t-late")  # the create answered after all
    assert await journal.prune(older_than=0) == 0
    entry = await journal.get_task("t-late")
    assert entry is not None
    assert (entry.state, entry.closed_at) == ("submitted", None)


async def test_a_negative_age_is_refused(journal: TaskJournal) -> None:
    with pytest.raises(ValueError, match="older_than"):
        await journal.prune(older_than=-1)


async def test_retention_none_keeps_everything(tmp_path: Path) -> None:
    for store in (MemoryJournal(retention=None), SQLiteJournal(tmp_path / "j.db", retention=None)):
        async with _opened(store):
            await _one_of_each_state(store)
            assert await store.prune() == 0
            assert len(await store.entries()) == 5


@asynccontextmanager
async def _opened(store: TaskJournal) -> AsyncIterator[TaskJournal]:
    await store.start()
    try:
        yield store
    finally:
        await store.aclose()


async def test_sqlite_prunes_for_good_and_at_start(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    async with SQLiteJournal(path) as first:
        await _one_of_each_state(first)
        assert await first.prune(older_than=0) == 3
    async with SQLiteJournal(path) as second:
        assert [e.key for e in await second.entries()] == ["intent", "submitted"]
        await second.record_intent(new_entry("late", "video", _body("late")))
        await second.record_abandoned("late")
    # retention=0: everything closed is due, and start() prunes by itself.
    async with SQLiteJournal(path, retention=0) as third:
        assert await third.get("late") is None
        assert len(await third.entries()) == 2


async def test_sqlite_upgrades_a_file_from_before_retention(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = new_entry("old", "video", _body()).evolve(state="refused", error="x")
    legacy = json.loads(old.to_json())
    del legacy["closed_at"]
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE entries (key TEXT PRIMARY KEY, task_id TEXT UNIQUE, state TEXT NOT NULL,"
        " created_at REAL NOT NULL, data TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO entries VALUES(?,?,?,?,?)",
        ("old", None, "refused", old.created_at, json.dumps(legacy)),
    )
    db.commit()
    db.close()
    async with SQLiteJournal(path, retention=None) as journal:
        entry = await journal.get("old")
        assert entry is not None
        assert entry.closed_at is None  # unknown: counted from its creation
        assert await journal.prune(older_than=0) == 1
