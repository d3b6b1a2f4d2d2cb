"""V2 tasks and uploads as lines of the saved state, and back (see :mod:`._saved`).

A line holds a record's fields except what dies with the emulator that held them:

- ``created_mono`` reads that process's monotonic clock, so it becomes ``born``: the
  real time (``time.time()``) the record's emulated age counts from. The 7-day query
  window and the upload lifetime go on from there, ``advance()`` included.
- ``content_url`` is a link minted by that server; a restored task mints a new one.
- ``request`` keeps only its text items. A finished task answers its token usage and a
  Context-IR result from them, and they are short (7,000 characters at most, 40,000 for
  a regeneration); the media items can be 20 MB of inline data, and what they add up
  to is kept in ``media``, the facts checked at create.

An upload keeps its facts only: the emulator never keeps an upload's bytes.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from minimax_async.emulator._probe import AudioInfo, VideoInfo
from minimax_async.emulator._state import Clock
from minimax_async.emulator._status import V2Status
from minimax_async.emulator._v2_state import MediaFacts, Upload, V2Task

__all__ = ("born_of", "task_from", "task_line", "upload_from", "upload_line")

_NOT_KEPT = ("created_mono", "content_url", "content_url_expires")


def task_line(task: V2Task, clock: Clock) -> dict[str, Any]:
    """``task`` as a saved-state record."""
    data = {k: v for k, v in asdict(task).items() if k not in _NOT_KEPT}
    texts = [i for i in task.request.get("content") or [] if _is_text(i)]
    data.update(
        request={"content": texts},
        asset=None if task.asset is None else str(task.asset),
        status=task.status.value,
        history=[status.value for status in task.history],
        born=_born(task.created_mono, clock),
    )
    return data


def task_from(data: dict[str, Any], clock: Clock) -> V2Task:
    """The task a record describes; KeyError, TypeError or ValueError if it is garbled."""
    fields = dict(data)
    born = float(fields.pop("born"))
    task = V2Task(
        **{
            **fields,
            "media": tuple(_facts(item) for item in fields["media"]),
            "asset": None if fields["asset"] is None else Path(fields["asset"]),
            "status": V2Status(fields["status"]),
            "history": [V2Status(s) for s in fields["history"]],
            "created_mono": _mono(born, clock),
        }
    )
    if not task.history or task.history[-1] is not task.status:
        raise ValueError(f"status {task.status.value} is not the last of its history")
    return task


def upload_line(upload: Upload, clock: Clock) -> dict[str, Any]:
    """``upload`` as a saved-state record."""
    data = {k: v for k, v in asdict(upload).items() if k not in _NOT_KEPT}
    data["born"] = _born(upload.created_mono, clock)
    return data


def upload_from(data: dict[str, Any], clock: Clock) -> Upload:
    """The upload a record describes; KeyError, TypeError or ValueError if garbled."""
    fields = dict(data)
    born = float(fields.pop("born"))
    video, audio = fields["video"], fields["audio"]
    return Upload(
        **{
            **fields,
            "video": None if video is None else VideoInfo(**video),
            "audio": None if audio is None else AudioInfo(**audio),
            "created_mono": _mono(born, clock),
        }
    )


def born_of(data: dict[str, Any]) -> float:
    """The real time a saved V2 record (task or upload) was created."""
    return float(data["born"])


def _facts(data: dict[str, Any]) -> MediaFacts:
    video = data["video"]
    return MediaFacts(**{**data, "video": None if video is None else VideoInfo(**video)})


def _is_text(item: Any) -> bool:
    return isinstance(item, dict) and item.get("type") == "text"


def _born(created_mono: float, clock: Clock) -> float:
    return time.time() - (clock.monotonic() - created_mono)


def _mono(born: float, clock: Clock) -> float:
    return clock.monotonic() - (time.time() - born)
