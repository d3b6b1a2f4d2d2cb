"""MiniMax-H3 reference-to-video: a character image, a motion clip and a voice.

The V2 API (MiniMax-H3, H3-Max) takes up to 9 reference images, 3 videos and 3
audio clips, addressed in the prompt by order ("Image 1", "Video 1", "Audio 1").
Local files are read from their headers and checked first (sizes, pixel size,
aspect, duration, fps), then sent inline, or uploaded as ``mm_file://`` when the
64 MB body would not hold them. The result is a direct, expiring URL;
``download()`` re-queries for a fresh one when it lapsed.
"""

from __future__ import annotations

import asyncio

from _backend import ASSETS, OUT, client_settings

from minimax_async import AsyncMiniMax


async def main() -> None:
    async with client_settings() as settings, AsyncMiniMax(**settings) as client:
        # An upload is free and kept 7 days: reuse it across many creates.
        hero = await client.files.upload(ASSETS / "pet.jpg")
        task = await client.video.create(
            model="MiniMax-H3",
            prompt="Image 1 trots across a sunny yard, moving like Video 1; it barks like Audio 1",
            reference_images=[hero],
            reference_videos=[ASSETS / "motion.mp4"],
            reference_audios=[ASSETS / "voice.mp3"],
            resolution="768P",
            duration=5,
            ratio="16:9",
        )
        async for update in task.updates():
            print(f"{task.task_id}: {update.raw_status}")  # queued, running, succeeded
        video = await task.result()
        path = await video.download(OUT / "h3_reference.mp4")
        print(f"saved {path} ({video.resolution} {video.ratio}, {video.duration} s)")
        if video.usage is not None:
            print(f"billed: {video.usage.output_seconds} s out, {video.usage.input_seconds} s in")


if __name__ == "__main__":
    asyncio.run(main())
