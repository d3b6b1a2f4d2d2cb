"""The public API as a user writes it, checked by ``mypy --strict`` and run on the emulator.

``assert_type`` pins the types users rely on: if a signature drifts, mypy fails here.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from typing_extensions import assert_type

from minimax_async import (
    AgentVideo,
    AmbiguousCreateError,
    AsyncMiniMax,
    CameraMove,
    MiniMaxError,
    TaskFailedError,
    TaskStatus,
    Template,
    V2PromptTask,
    V2Video,
    V2VideoTask,
    Video,
    VideoAgentTask,
    VideoTask,
    camera,
    no_backoff,
)
from minimax_async.emulator import Emulator, EmulatorConfig
from minimax_async.models import AgentQueryResponse, FileObject, TaskSnapshot, VideoQueryResponse

KEY = "typing-test-key"
DEADLINE = 30.0


async def test_public_api_types(tmp_path: Path) -> None:
    config = EmulatorConfig(time_scale=0.01, api_keys=frozenset({KEY}))
    async with (
        Emulator(config=config) as emu,
        AsyncMiniMax(
            api_key=KEY, base_url=emu.base_url, rpm=None, poll_interval=0.02, max_in_flight=4
        ) as client,
    ):
        with anyio.fail_after(DEADLINE), no_backoff():
            task = await client.video.create(
                model="MiniMax-Hailuo-02",
                prompt=f"A lighthouse at dusk {camera(CameraMove.PAN_LEFT)}",
                duration=6,
                resolution="768P",
                prompt_optimizer=True,
            )
            assert_type(task, VideoTask)
            assert_type(task.task_id, str)
            assert_type(task.status, TaskStatus)
            async for update in task.updates(timeout=DEADLINE):
                assert_type(update, TaskSnapshot)
            video = await task.result(timeout=DEADLINE)
            assert_type(video, Video)
            assert_type(video.width, "int | None")
            file = await video.file()
            assert_type(file, FileObject)
            done: list[int] = []
            path = await video.download(tmp_path / "v.mp4", progress=lambda d, t: done.append(d))
            assert_type(path, Path)
            snap = await client.video.query(task.task_id)
            assert_type(snap, VideoQueryResponse)

            again = client.task_from_dict(task.to_dict())
            assert_type(again, "VideoTask | VideoAgentTask | V2VideoTask | V2PromptTask")
            # The common case needs no narrowing: say which kind you saved.
            video_again = client.task_from_dict(task.to_dict(), kind="video")
            assert_type(video_again, VideoTask)
            assert_type(await video_again.result(timeout=DEADLINE), Video)
            assert str(TaskStatus.SUCCESS) == "Success"

            # The model names the API: a MiniMax-H3 create is typed as the V2 handle.
            h3 = await client.video.create(model="MiniMax-H3", prompt="a lighthouse")
            assert_type(h3, V2VideoTask)
            h3_video = await h3.result(timeout=DEADLINE)
            assert_type(h3_video, V2Video)
            assert_type(await h3_video.download(tmp_path / "h3.mp4"), Path)

            templates = client.video_agent.templates
            assert_type(templates, tuple[Template, ...])
            agent = await client.video_agent.create(
                template_id=templates[6].template_id, text_inputs=["a day at school"]
            )
            assert_type(agent, VideoAgentTask)
            try:
                result = await agent.result(timeout=DEADLINE)
            except TaskFailedError as failed:
                assert_type(failed.snapshot, TaskSnapshot)
                raise
            except AmbiguousCreateError as ambiguous:  # pragma: no cover - documents the type
                assert_type(ambiguous.client_key, str)
                raise
            except MiniMaxError:
                raise
            assert_type(result, AgentVideo)
            assert_type(await client.video_agent.query(agent.task_id), AgentQueryResponse)
            assert_type(await result.download(tmp_path / "a.mp4"), Path)
    assert path.stat().st_size > 0
    assert done


async def _resumed_tasks_are_typed(client: AsyncMiniMax) -> None:
    # Only type-checked: a resumed handle is one of the four, never Any.
    report = await client.resume()
    for task in report.tasks:
        assert_type(task, VideoTask | VideoAgentTask | V2VideoTask | V2PromptTask)
