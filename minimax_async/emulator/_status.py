"""The emulator's own status vocabulary, transcribed from the references (not the SDK's).

V1 queries answer ``Preparing/Queueing/Processing/Success/Fail``; V1 pushes spell them
in lowercase with ``failed`` for ``Fail``. V2 uses ``queued/running/succeeded/failed/
cancelled`` everywhere, plus the opt-in ``expired``.
"""

from __future__ import annotations

import enum

__all__ = ("Status", "V2Status")


class Status(str, enum.Enum):
    """A V1 task's status, valued as the V1 query spells it."""

    PREPARING = "Preparing"
    QUEUEING = "Queueing"
    PROCESSING = "Processing"
    SUCCESS = "Success"
    FAIL = "Fail"

    @property
    def is_terminal(self) -> bool:
        return self in (Status.SUCCESS, Status.FAIL)

    @property
    def pushed(self) -> str:
        """The lowercase spelling of the current push docs."""
        return "failed" if self is Status.FAIL else self.value.lower()

    @classmethod
    def parse(cls, value: str) -> Status:
        """Any V1 spelling (query or push, any case); ValueError for anything else."""
        wanted = value.strip().lower()
        for status in cls:
            if wanted in (status.value.lower(), status.pushed):
                return status
        raise ValueError(f"{value!r} is not a V1 task status")


class V2Status(str, enum.Enum):
    """A V2 task's status, as V2 queries and pushes spell it."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    #: Only with the ``v2_expire_after`` knob: one China page and several clients know it.
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self not in (V2Status.QUEUED, V2Status.RUNNING)
