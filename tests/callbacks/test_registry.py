"""The in-memory registry: forward-only status, exactly-once result, bounded buffers."""

from __future__ import annotations

from minimax_async import TaskStatus
from minimax_async.callbacks import InMemoryRegistry, TaskRegistry
from minimax_async.models import TaskSnapshot


def snap(task_id: str, status: str, **extra: str) -> TaskSnapshot:
    return TaskSnapshot.model_validate({"task_id": task_id, "status": status, **extra})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_satisfies_the_protocol() -> None:
    assert isinstance(InMemoryRegistry(), TaskRegistry)


def test_status_only_moves_forward() -> None:
    registry = InMemoryRegistry()
    state, early = registry.register("1")
    assert early is None
    assert registry.advance(state, snap("1", "queueing"))
    assert registry.advance(state, snap("1", "Processing"))
    assert not registry.advance(state, snap("1", "processing"))
    assert not registry.advance(state, snap("1", "preparing"))
    assert not registry.advance(state, snap("1", "whatever"))
    assert state.status is TaskStatus.PROCESSING


def test_the_result_is_set_exactly_once() -> None:
    registry = InMemoryRegistry()
    state, _ = registry.register("1")
    assert registry.resolve(state, snap("1", "success", file_id="a"))
    assert not registry.resolve(state, snap("1", "failed"))
    assert not registry.advance(state, snap("1", "processing"))
    assert state.result is not None
    assert state.result.file_id == "a"
    assert registry.pending() == []
    assert registry.get("1") is state
    again, _ = registry.register("1")
    assert again is state


def test_an_early_push_is_handed_over_once_keeping_the_furthest_state() -> None:
    registry = InMemoryRegistry()
    assert registry.hold_early(snap("1", "processing"))
    assert registry.hold_early(snap("1", "queueing"))
    assert registry.hold_early(snap("1", "success", file_id="f"))
    _, early = registry.register("1")
    assert early is not None
    assert early.status is TaskStatus.SUCCESS
    assert registry.early_count == 0


def test_early_pushes_are_bounded_in_count_oldest_first() -> None:
    registry = InMemoryRegistry(max_early=3)
    for task_id in "abcde":
        registry.hold_early(snap(task_id, "processing"))
    assert registry.early_count == 3
    assert registry.register("a")[1] is None
    assert registry.register("b")[1] is None
    assert registry.register("e")[1] is not None


def test_early_pushes_expire() -> None:
    clock = Clock()
    registry = InMemoryRegistry(early_ttl=60.0, clock=clock)
    registry.hold_early(snap("old", "processing"))
    clock.now += 30
    registry.hold_early(snap("new", "processing"))
    clock.now += 31
    assert registry.early_count == 1
    assert registry.register("old")[1] is None
    assert registry.register("new")[1] is not None


def test_zero_early_capacity_keeps_nothing() -> None:
    registry = InMemoryRegistry(max_early=0)
    assert not registry.hold_early(snap("1", "processing"))
    assert registry.early_count == 0


def test_finished_tasks_are_remembered_up_to_a_bound() -> None:
    registry = InMemoryRegistry(max_finished=2)
    for task_id in "abc":
        state, _ = registry.register(task_id)
        registry.resolve(state, snap(task_id, "success", file_id="f"))
    assert registry.get("a") is None
    assert registry.get("c") is not None


def test_forget_drops_everything() -> None:
    registry = InMemoryRegistry()
    registry.register("1")
    registry.hold_early(snap("2", "processing"))
    registry.forget("1")
    registry.forget("2")
    assert registry.get("1") is None
    assert registry.early_count == 0
