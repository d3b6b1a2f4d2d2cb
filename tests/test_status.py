from __future__ import annotations

import pytest

from minimax_async import TaskStatus
from minimax_async.models import TaskSnapshot


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("Success", TaskStatus.SUCCESS),
        ("success", TaskStatus.SUCCESS),
        ("SUCCESS", TaskStatus.SUCCESS),
        ("Fail", TaskStatus.FAIL),
        ("failed", TaskStatus.FAIL),
        ("Failed", TaskStatus.FAIL),
        ("processing", TaskStatus.PROCESSING),
        ("Queueing", TaskStatus.QUEUEING),
        ("Preparing", TaskStatus.PREPARING),
        (" Processing ", TaskStatus.PROCESSING),
        ("Exploded", TaskStatus.UNKNOWN),
        (None, TaskStatus.UNKNOWN),
        (3, TaskStatus.UNKNOWN),
    ],
)
def test_every_spelling_parses(raw: object, status: TaskStatus) -> None:
    assert TaskStatus.parse(raw) is status


def test_enum_constructor_accepts_lowercase() -> None:
    assert TaskStatus("success") is TaskStatus.SUCCESS


def test_terminal_and_rank() -> None:
    assert TaskStatus.SUCCESS.is_terminal
    assert TaskStatus.FAIL.is_terminal
    assert not TaskStatus.PROCESSING.is_terminal
    order = [TaskStatus.PREPARING, TaskStatus.QUEUEING, TaskStatus.PROCESSING, TaskStatus.SUCCESS]
    assert [s.rank for s in order] == sorted(s.rank for s in order)


def test_snapshot_keeps_the_raw_spelling_and_string_ids() -> None:
    snap = TaskSnapshot.model_validate(
        {"task_id": 401047179385389059, "status": "failed", "file_id": 5, "extra": 1}
    )
    assert snap.task_id == "401047179385389059"
    assert snap.status is TaskStatus.FAIL
    assert snap.raw_status == "failed"
    assert snap.file_id == "5"
    assert snap.model_extra == {"extra": 1}
    assert "raw_status" not in snap.model_dump()


def test_unknown_status_is_kept_raw() -> None:
    snap = TaskSnapshot.model_validate_json(b'{"task_id": "1", "status": "Paused"}')
    assert snap.status is TaskStatus.UNKNOWN
    assert snap.raw_status == "Paused"


@pytest.mark.parametrize("status", list(TaskStatus))
def test_str_is_the_query_apis_word(status: TaskStatus) -> None:
    assert str(status) == status.value
    assert f"{status}" == status.value
