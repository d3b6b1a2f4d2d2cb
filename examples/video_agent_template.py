"""A Video Agent template: the catalogue says which inputs it needs."""

from __future__ import annotations

import asyncio

from _backend import ASSETS, OUT, client_settings

from minimax_async import AsyncMiniMax

RUN_FOR_LIFE = "393769180141805569"  # needs a pet photo and a wild-beast type


async def main() -> None:
    async with client_settings() as settings, AsyncMiniMax(**settings) as client:
        template = client.video_agent.template(RUN_FOR_LIFE)
        assert template is not None
        print(f"{template.name}: needs {', '.join(template.required_inputs)}")
        task = await client.video_agent.create(
            template_id=RUN_FOR_LIFE,
            media_inputs=[ASSETS / "pet.jpg"],
            text_inputs=["Lion"],
        )
        result = await task.result(timeout=1800)
        path = await result.download(OUT / "run_for_life.mp4")
        print(f"template video saved to {path} (from {result.video_url[:40]}...)")


if __name__ == "__main__":
    asyncio.run(main())
