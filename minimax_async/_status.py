"""One status vocabulary for every spelling MiniMax uses.

The query API answers ``Preparing/Queueing/Processing/Success/Fail``; pushes say
``processing/success/failed`` in the current docs and ``Success`` in older samples;
official clients also check ``Failed``. All of them parse to :class:`TaskStatus`.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ("TaskStatus",)


class TaskStatus(str, enum.Enum):
    """Where a task is in its life. Compares equal to the query API's spelling."""

    PREPARING = "Preparing"
    QUEUEING = "Queueing"
    PROCESSING = "Processing"
    SUCCESS = "Success"
    FAIL = "Fail"
    #: A spelling no source documents; the raw text is kept by the model that parsed it.
    UNKNOWN = "Unknown"

    def __str__(self) -> str:
        # The query API's own word ("Success"), not "TaskStatus.SUCCESS": this is what
        # f-strings, logs and the CLI print.
        return self.value

    @property
    def is_terminal(self) -> bool:
        return self in (TaskStatus.SUCCESS, TaskStatus.FAIL)

    @property
    def rank(self) -> int:
        """Order along the lifecycle, so a late push cannot move a task backwards."""
        return _RANK[self]

    @classmethod
    def parse(cls, value: Any) -> TaskStatus:
        """Normalise any documented casing or spelling; unknown text gives UNKNOWN."""
        if isinstance(value, TaskStatus):
            return value
        if not isinstance(value, str):
            return cls.UNKNOWN
        return _ALIASES.get(value.strip().lower(), cls.UNKNOWN)

    @classmethod
    def _missing_(cls, value: object) -> TaskStatus:
        # Lets pydantic and TaskStatus("success") accept every spelling.
        return cls.parse(value)


_ALIASES = {
    "preparing": TaskStatus.PREPARING,
    "queueing": TaskStatus.QUEUEING,
    "queuing": TaskStatus.QUEUEING,
    "queued": TaskStatus.QUEUEING,
    "processing": TaskStatus.PROCESSING,
    "running": TaskStatus.PROCESSING,
    "success": TaskStatus.SUCCESS,
    "succeeded": TaskStatus.SUCCESS,
    "fail": TaskStatus.FAIL,
    "failed": TaskStatus.FAIL,
    "failure": TaskStatus.FAIL,
    "error": TaskStatus.FAIL,
    "unknown": TaskStatus.UNKNOWN,
}

_RANK = {
    TaskStatus.UNKNOWN: 0,
    TaskStatus.PREPARING: 1,
    TaskStatus.QUEUEING: 2,
    TaskStatus.PROCESSING: 3,
    TaskStatus.SUCCESS: 4,
    TaskStatus.FAIL: 4,
}
