"""The emulator's memory: tasks, files and expiring download links."""

from __future__ import annotations

import asyncio
import enum
import hashlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from minimax_async.emulator._status import Status

__all__ = (
    "Clock",
    "FileRecord",
    "LinkRecord",
    "Store",
    "TaskEndedError",
    "TaskRecord",
    "owner_of",
)

TaskKind = Literal["video", "agent"]
T = TypeVar("T")
R = TypeVar("R")


def owner_of(api_key: str) -> str:
    """A stable fingerprint of a key, so records never hold the key itself."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:16]


class Clock:
    """The emulator's time: real time plus an offset that :meth:`Emulator.advance` moves.

    Lifecycles run on real timers; only expiries (links, uploads, the V2 query window)
    and the timestamps the emulator reports read this clock, so a test can jump a week
    ahead without waiting for it.
    """

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def wall(self) -> float:
        return time.time() + self.offset


class TaskEndedError(AssertionError):
    """A task reached a terminal status other than the one being waited for."""


@dataclass
class TaskRecord:
    """One task as the emulator tracks it.

    ``request`` is the create body as received; ``history`` lists every status the
    task has had, in order. Video tasks end with ``file_id`` (a numeric string),
    agent tasks with ``video_url``; a failed task has ``failure_code`` 1026 or 1027.
    ``history_times`` holds the wall-clock time (``time.time()``) each status began,
    parallel to ``history``, so benchmarks can measure detection latency.
    """

    task_id: str
    kind: TaskKind
    request: dict[str, Any]
    owner: str
    asset: Path
    resolution: str
    duration: int
    width: int
    height: int
    failure_code: int | None = None
    callback_url: str | None = None
    status: Status = Status.PREPARING
    history: list[Status] = field(default_factory=lambda: [Status.PREPARING])
    history_times: list[float] = field(default_factory=lambda: [time.time()])
    file_id: str | None = None
    video_url: str | None = None
    video_url_expires: float = 0.0
    created_at: int = field(default_factory=lambda: int(time.time()))


@dataclass
class FileRecord:
    """A generated video file, as files/retrieve describes it."""

    file_id: str
    owner: str
    path: Path
    bytes: int
    created_at: int
    filename: str = "output.mp4"
    purpose: str = "video_generation"


@dataclass
class LinkRecord:
    """A download URL minted for a file; it stops working at ``expires_at`` (clock time)."""

    token: str
    path: Path
    expires_at: float
    clock: Clock = field(repr=False)

    @property
    def expired(self) -> bool:
        return self.clock.monotonic() >= self.expires_at


class Store:
    """Tasks, files and links, plus an event-driven way to wait on status changes."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.tasks: dict[str, TaskRecord] = {}
        self.files: dict[str, FileRecord] = {}
        self.links: dict[str, LinkRecord] = {}
        self.clock = Clock()
        self._changed = asyncio.Condition()
        #: Called after every new task and status change (a saved state hooks in here).
        self.on_change: Callable[[TaskRecord], None] | None = None

    def new_task_id(self) -> str:
        """An unused 18-digit numeric string (larger than 2**53, as real ones are)."""
        return self.unique(18, self.tasks)

    def new_file_id(self) -> str:
        # 15 digits, like the documented examples: still exact as a JSON number in JS.
        return self.unique(15, self.files)

    def new_token(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"

    def unique(self, digits: int, *taken: Mapping[str, Any]) -> str:
        """A ``digits``-long numeric string that is a key of none of ``taken``."""
        while True:
            value = str(self._rng.randrange(10 ** (digits - 1), 10**digits))
            if not any(value in used for used in taken):
                return value

    def mint_link(self, path: Path, ttl: float) -> LinkRecord:
        link = LinkRecord(self.new_token(), path, self.clock.monotonic() + ttl, self.clock)
        self.links[link.token] = link
        return link

    async def add_task(self, task: TaskRecord) -> None:
        self.tasks[task.task_id] = task
        self._report(task)
        await self.notify()

    async def set_status(self, task: TaskRecord, status: Status) -> None:
        task.status = status
        task.history.append(status)
        task.history_times.append(time.time())
        self._report(task)
        await self.notify()

    def _report(self, task: TaskRecord) -> None:
        if self.on_change is not None:
            self.on_change(task)

    async def notify(self) -> None:
        """Wake everything waiting in :meth:`wait_until`."""
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, ready: Callable[[], T | None]) -> T:
        """Wait until ``ready()`` returns something other than None, and return it."""
        async with self._changed:
            while True:
                found = ready()
                if found is not None:
                    return found
                await self._changed.wait()

    async def wait_for_status(self, task_id: str, status: Status) -> TaskRecord:
        """Wait until ``task_id`` has reached ``status`` (now or earlier in its history).

        Raises TaskEndedError if it finishes with another terminal status. The task need
        not exist yet. Callers bound the wait with a deadline.
        """

        def reached() -> TaskRecord | None:
            task = self.tasks.get(task_id)
            if task is None:
                return None
            return passed_through(task, status, task.history)

        return await self.wait_until(reached)


def passed_through(task: R, status: enum.Enum, history: list[Any]) -> R | None:
    """``task`` if ``status`` is in its history; None while it may still get there.

    Raises TaskEndedError once it has ended with another status.
    """
    if status in history:
        return task
    last = history[-1]
    if last.is_terminal:
        raise TaskEndedError(f"task ended {last.value} while waiting for {status.value}")
    return None
