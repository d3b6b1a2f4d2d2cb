"""What the emulator remembers of V2 tasks and of uploaded input files."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from minimax_async.emulator._probe import AudioInfo, VideoInfo
from minimax_async.emulator._status import V2Status

__all__ = ("MediaFacts", "TaskType", "Upload", "V2Task")

TaskType = Literal["generation", "h3_context_ir", "regeneration"]


@dataclass(frozen=True)
class MediaFacts:
    """What one checked media item of a request adds up to (for usage and totals).

    ``width``/``height`` are known for inline data and uploads; a remote URL is
    accepted unseen, so its facts stay empty.
    """

    kind: str  # "image", "video" or "audio"
    role: str
    width: int | None = None
    height: int | None = None
    seconds: float | None = None
    video: VideoInfo | None = None


@dataclass
class V2Task:
    """One V2 task as the emulator tracks it.

    ``history`` lists every status it had, ``history_times`` the wall-clock time each
    began. ``deleted`` tasks stay here for inspection but are gone from the API. A task
    restored from a saved state has only the text items of its ``request`` (``media``
    holds what the rest added up to).
    """

    task_id: str
    owner: str
    model: str
    task_type: TaskType
    request: dict[str, Any]
    resolution: str
    duration: int
    ratio: str  # as resolved; "" for regeneration
    requested_ratio: str
    created_at: int  # Unix seconds (emulator clock)
    created_mono: float  # emulator clock, for the query window
    media: tuple[MediaFacts, ...] = ()
    asset: Path | None = None
    width: int = 0
    height: int = 0
    failure_code: int | None = None
    callback_url: str | None = None
    status: V2Status = V2Status.QUEUED
    history: list[V2Status] = field(default_factory=lambda: [V2Status.QUEUED])
    history_times: list[float] = field(default_factory=lambda: [time.time()])
    updated_at: int = 0
    content_url: str | None = None
    content_url_expires: float = 0.0
    prompt: str | None = None  # the h3_context_ir result
    deleted: bool = False

    @property
    def text(self) -> str:
        """Every text item of the request, joined."""
        items = self.request.get("content") or []
        return "\n".join(
            i["text"] for i in items if isinstance(i, dict) and i.get("type") == "text"
        )


@dataclass
class Upload:
    """A file sent to /v1/files/upload; ``facts`` is None for non-video purposes."""

    file_id: str
    owner: str
    purpose: str
    filename: str
    bytes: int
    created_at: int
    created_mono: float
    kind: str | None = None  # "image", "video", "audio"
    width: int | None = None
    height: int | None = None
    seconds: float | None = None
    video: VideoInfo | None = None
    audio: AudioInfo | None = None
