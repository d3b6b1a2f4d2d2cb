"""Between the CLI and the client: send a checked create, save and describe a result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, overload

import anyio

from minimax_async._client import AsyncMiniMax
from minimax_async._exceptions import (
    APIError,
    MiniMaxError,
    TaskFailedError,
    TaskTimeoutError,
)
from minimax_async._tasks import V2VideoTask, VideoAgentTask, VideoTask
from minimax_async.cli._mp4 import read_mp4_info
from minimax_async.cli._output import TaskRecord
from minimax_async.cli._params import VideoParams
from minimax_async.cli._v2_jobs import V2JobParams
from minimax_async.models import TaskSnapshot, V2Snapshot

__all__ = (
    "create_kwargs",
    "create_video",
    "describe_saved",
    "error_code",
    "failed_record",
    "poll_until_done",
    "save_snapshot",
)


def create_kwargs(params: VideoParams) -> dict[str, Any]:
    """Keyword arguments for ``client.video.create``; unset options are left out."""
    kwargs: dict[str, Any] = {"model": params.model}
    optional = {
        "prompt": params.prompt,
        "first_frame_image": params.first_frame_image,
        "last_frame_image": params.last_frame_image,
        "duration": params.duration,
        "resolution": params.resolution,
        "prompt_optimizer": params.prompt_optimizer,
        "fast_pretreatment": params.fast_pretreatment,
        "aigc_watermark": params.aigc_watermark,
    }
    kwargs.update({key: value for key, value in optional.items() if value is not None})
    if params.subject_image is not None:
        kwargs["subject_reference"] = params.subject_image
    return kwargs


@overload
async def create_video(client: AsyncMiniMax, params: VideoParams) -> VideoTask: ...


@overload
async def create_video(client: AsyncMiniMax, params: V2JobParams) -> V2VideoTask: ...


async def create_video(
    client: AsyncMiniMax, params: VideoParams | V2JobParams
) -> VideoTask | V2VideoTask:
    """Send one create (exactly once: the client never resends an ambiguous create).

    A V2 create reads its local media and uploads what must go as ``mm_file://``
    first; those uploads are free and create nothing.
    """
    if isinstance(params, V2JobParams):
        return await client.video.v2.create(**params.create_kwargs())
    task = await client.video.create(**create_kwargs(params))
    assert isinstance(task, VideoTask)  # a V1 model always gives a V1 handle
    return task


async def save_snapshot(
    client: AsyncMiniMax,
    snapshot: TaskSnapshot,
    path: Path,
    *,
    name: str | None = None,
    agent: bool = False,
) -> TaskRecord:
    """Download a Success task's video (from its query answer) to ``path``."""
    if isinstance(snapshot, V2Snapshot) and snapshot.video_url:
        # As for agents: the handle's result re-queries when content.url expired.
        v2_video = await client.video.v2.task(snapshot.task_id).result()
        saved = await v2_video.download(path)
    elif agent and snapshot.video_url:
        # The handle's result re-queries, so an expired video_url is replaced.
        video = await client.video_agent.task(snapshot.task_id).result()
        saved = await video.download(path)
    elif not agent and snapshot.file_id:
        saved = await client.files.download(snapshot.file_id, path)
    else:
        raise TaskFailedError(snapshot)
    return describe_saved(snapshot, Path(saved), name=name)


def describe_saved(snapshot: TaskSnapshot, saved: Path, *, name: str | None = None) -> TaskRecord:
    """The record of a saved video: the query's numbers, the file's as the fallback."""
    info = read_mp4_info(saved)
    return TaskRecord(
        task_id=snapshot.task_id,
        status="Success",
        file_id=snapshot.file_id,
        video_url=snapshot.video_url,
        path=saved,
        # Pushes omit the size; the file always knows it.
        width=snapshot.video_width or info.width,
        height=snapshot.video_height or info.height,
        seconds=info.seconds,
        name=name,
    )


async def poll_until_done(
    task: VideoTask | VideoAgentTask | V2VideoTask,
    *,
    patience: float | None,
    interval: float,
    observe: Callable[[TaskSnapshot], Awaitable[None]] | None = None,
) -> TaskSnapshot:
    """Query a re-attached task now, then every ``interval`` s, until it ends.

    Its pushes go to the receiver of the run that created it, so waiting for one here
    would only wait for the watchdog's quiet period: the query is the truth anyway.
    """
    try:
        with anyio.fail_after(patience):
            while True:
                snapshot = await task.refresh()
                if observe is not None:
                    await observe(snapshot)
                if snapshot.is_terminal:
                    return snapshot
                await anyio.sleep(interval)
    except TimeoutError:
        raise TaskTimeoutError(task.task_id, patience or 0.0, task.status.value) from None


def failed_record(task_id: str | None, exc: MiniMaxError, *, name: str | None = None) -> TaskRecord:
    """The record of a task that failed (or a create that was refused)."""
    status = "Fail" if isinstance(exc, TaskFailedError) or task_id is None else "Error"
    return TaskRecord(
        task_id=task_id, status=status, error=str(exc), error_code=error_code(exc), name=name
    )


def error_code(exc: MiniMaxError) -> int | None:
    """MiniMax's ``base_resp`` code behind an error, when there is one."""
    if isinstance(exc, TaskFailedError):
        base = exc.snapshot.base_resp
        return base.status_code if base is not None and base.status_code else None
    if isinstance(exc, APIError):
        code = getattr(exc, "code", None)
        return code if isinstance(code, int) else exc.status_code
    return None
