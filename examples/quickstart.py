"""Quick start: one text-to-video task, awaited and downloaded."""

from __future__ import annotations

import asyncio

from _backend import OUT, client_settings

from minimax_async import AsyncMiniMax


async def main() -> None:
    async with client_settings() as settings, AsyncMiniMax(**settings) as client:
        task = await client.video.create(
            model="MiniMax-Hailuo-02",
            prompt="A lighthouse at dusk, waves below [Pedestal up]",
            duration=6,
            resolution="768P",
        )
        print(f"created task {task.task_id}")
        video = await task.result(timeout=1800)
        path = await video.download(OUT / "quickstart.mp4")
        print(f"{video.width}x{video.height} video saved to {path}")


if __name__ == "__main__":
    asyncio.run(main())
