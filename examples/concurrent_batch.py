"""Many prompts at once: the client's limiter spreads the creates, pushes bring results."""

from __future__ import annotations

import asyncio

from _backend import OUT, client_settings

from minimax_async import AsyncMiniMax, MiniMaxError, VideoTask

PROMPTS = [f"A paper boat on a stream, shot {n} [Tracking shot]" for n in range(12)]


async def render(client: AsyncMiniMax, index: int, prompt: str) -> str:
    task: VideoTask = await client.video.create(prompt=prompt)
    video = await task.result(timeout=1800)
    path = await video.download(OUT / f"batch_{index:02}.mp4")
    return f"{task.task_id} -> {path.name}"


async def main() -> None:
    async with (
        client_settings() as settings,
        AsyncMiniMax(
            **settings,
            rpm=600,  # admission: at most this many creates a minute (MiniMax's own is 5-20)
            max_in_flight=4,  # at most four unfinished tasks at a time
        ) as client,
    ):
        outcomes = await asyncio.gather(
            *(render(client, i, p) for i, p in enumerate(PROMPTS)), return_exceptions=True
        )
    for outcome in outcomes:
        if isinstance(outcome, MiniMaxError):
            print(f"failed: {outcome}")
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            print(outcome)


if __name__ == "__main__":
    asyncio.run(main())
