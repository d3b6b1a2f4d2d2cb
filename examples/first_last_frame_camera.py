"""First + last frame from local images, with combined camera moves."""

from __future__ import annotations

import asyncio

from _backend import ASSETS, OUT, client_settings

from minimax_async import AsyncMiniMax, CameraMove, camera


async def main() -> None:
    moves = camera(CameraMove.PAN_LEFT, CameraMove.PEDESTAL_UP)  # "[Pan left,Pedestal up]"
    async with client_settings() as settings, AsyncMiniMax(**settings) as client:
        task = await client.video.create(
            model="MiniMax-Hailuo-02",
            prompt=f"The sun sets behind the lighthouse {moves}, then [Static shot]",
            first_frame_image=ASSETS / "lighthouse_first.jpg",  # checked, sent as a data URL
            last_frame_image=ASSETS / "lighthouse_last.jpg",
            duration=6,
            resolution="768P",
        )
        async for update in task.updates():
            print(f"{task.task_id}: {update.status.value}")
        video = await task.result()
        path = await video.download(OUT / "first_last_frame.mp4")
        print(f"saved {path} ({video.width}x{video.height}, follows the first frame)")


if __name__ == "__main__":
    asyncio.run(main())
