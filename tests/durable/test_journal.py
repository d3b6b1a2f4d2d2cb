"""Every journal store follows the same rules: intents, forward-only status, one result,
exclusive handler claims, and no inline image is ever stored."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from minimax_async import TaskStatus
from minimax_async.durable import JournalEntry, SQLiteJournal, TaskJournal, fingerprint
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
