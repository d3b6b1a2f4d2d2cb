"""The seam for sharing pushes between receiver processes (see ``durable.RedisBus``)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from minimax_async.models import TaskSnapshot

__all__ = ("BusSink", "ResultBus")


class BusSink(Protocol):
    """What a bus calls back into (the receiver)."""

    def deliver(self, snapshot: TaskSnapshot) -> None:
        """A push another worker received, for a task this worker may be waiting on."""

    def degraded(self, poll_interval: float) -> None:
        """The bus is down: poll every waiting task now, then every ``poll_interval`` s."""

    def restored(self) -> None:
        """The bus is back: the normal watchdog schedule applies again."""

    def waiting(self) -> list[str]:
        """Task ids this worker is waiting on."""


@runtime_checkable
class ResultBus(Protocol):
    """Records every push a worker receives and fans it out to the other workers."""

    async def start(self, sink: BusSink) -> None:
        """Connect; raise a clear error naming the URL if the bus cannot be reached."""

    def publish(self, snapshot: TaskSnapshot) -> None:
        """Record and fan out a push this worker received (never blocks the caller)."""

    def watch(self, task_id: str) -> None:
        """This worker started waiting on the task: deliver what others already received."""

    def completed(self, task_id: str) -> None:
        """This worker delivered the task's result: claim it, once across all workers."""

    async def aclose(self) -> None:
        """Disconnect."""
