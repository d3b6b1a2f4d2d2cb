"""The batch journal: durable appends, folding per job, torn tails."""

from __future__ import annotations

import json
from pathlib import Path

from minimax_async.cli._journal import Journal


def test_records_fold_into_entries_and_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.record("submitting", "a", line=1, fingerprint="f1")
        journal.record("created", "a", task_id="111")
        journal.record("submitting", "b", line=2, fingerprint="f2")
        journal.record("submitting", "c", line=3, fingerprint="f3")
        journal.record("created", "c", task_id="333")
        journal.record("finished", "c", status="Success", path="c.mp4")
        assert journal.entries["a"].state == "created"
    with Journal(path) as again:
        entries = again.entries
    assert entries["a"].state == "created"
    assert entries["a"].task_id == "111"
    assert entries["a"].fingerprint == "f1"
    assert entries["b"].state == "unknown"
    assert entries["c"].state == "finished"
    assert entries["c"].finished is not None
    assert entries["c"].finished["path"] == "c.mp4"
    assert [json.loads(line)["event"] for line in path.read_text().splitlines()] == [
        "submitting",
        "created",
        "submitting",
        "submitting",
        "created",
        "finished",
    ]


def test_torn_last_line_is_dropped_and_cut_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.record("submitting", "a", line=1, fingerprint="f1")
    with path.open("ab") as file:
        file.write(b'{"event": "created", "job": "a", "task_')  # killed mid-write
    with Journal(path) as journal:
        assert journal.entries["a"].state == "unknown"
        journal.record("created", "a", task_id="42")
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    assert all(json.loads(line)["job"] == "a" for line in lines)
    with Journal(path) as journal:
        assert journal.entries["a"].task_id == "42"


def test_unreadable_middle_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text(
        '{"event":"submitting","job":"a","line":1}\n'
        "garbage\n"
        '{"event":"created","job":"a","task_id":7}\n'
        '{"event":"created","task_id":"8"}\n'
    )
    with Journal(path) as journal:
        assert journal.entries["a"].task_id == "7"
        assert set(journal.entries) == {"a"}


def test_resubmission_supersedes_an_ambiguous_outcome(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.jsonl") as journal:
        journal.record("submitting", "a", line=1, fingerprint="f")
        journal.record("ambiguous", "a", error="timeout")
        assert journal.entries["a"].state == "unknown"
        journal.record("submitting", "a", line=1, fingerprint="f")
        journal.record("created", "a", task_id="9")
        assert journal.entries["a"].state == "created"
        assert not journal.entries["a"].ambiguous
