"""Between the CLI and the client: send a checked create, save and describe a result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minimax_async._client import AsyncMiniMax
from minimax_async._exceptions import MiniMaxError, TaskFailedError
from minimax_async._tasks import AgentVideo, Video, VideoAgentTask, VideoTask
from minimax_async.cli._exit import OK, TASK_FAILED
from minimax_async.cli._mp4 import read_mp4_info
from minimax_async.cli._output import Output, TaskRecord
from minimax_async.cli._params import VideoParams

__all__ = (
    "create_kwargs",
    "create_video",
    "failed_record",
    "finish_one",
    "save_result",
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


async def create_video(client: AsyncMiniMax, params: VideoParams) -> VideoTask:
    """Send one create (exactly once: the client never resends an ambiguous create)."""
    return await client.video.create(**create_kwargs(params))


async def save_result(
    result: Video | AgentVideo, path: Path, *, name: str | None = None
) -> TaskRecord:
    """Download a finished task's video to ``path`` and describe it from the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = Path(await result.download(path))
    info = read_mp4_info(saved)
    record = TaskRecord(
        task_id=result.task_id,
        status="Success",
        path=saved,
        width=info.width,
        height=info.height,
        seconds=info.seconds,
        name=name,
    )
    if isinstance(result, Video):
        record.file_id = result.file_id
        # The query's numbers win; the file's are the fallback (pushes omit them).
        record.width = result.width or info.width
        record.height = result.height or info.height
    else:
        record.video_url = result.video_url
    return record


def failed_record(task_id: str | None, exc: MiniMaxError, *, name: str | None = None) -> TaskRecord:
    """The record of a task that failed (or a create that was refused)."""
    status = "Fail" if isinstance(exc, TaskFailedError) or task_id is None else "Error"
    return TaskRecord(task_id=task_id, status=status, error=str(exc), name=name)


async def finish_one(
    task: VideoTask | VideoAgentTask, out: Output, path: Path | None, *, timeout: float | None
) -> int:
    """Await one task, save its video (``<task_id>.mp4`` by default), report it."""
    try:
        video = await task.result(timeout=timeout)
    except TaskFailedError as exc:
        out.result(failed_record(task.task_id, exc))
        return TASK_FAILED
    out.result(await save_result(video, path or Path(f"{task.task_id}.mp4")))
    return OK
