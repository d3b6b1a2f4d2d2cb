"""What a create takes beyond the documented fields: the default model per mode,
``extra_body`` and ``extra_headers``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from minimax_async import AsyncMiniMax, InvalidInputError, MemoryJournal
from minimax_async.emulator import Emulator
from tests.client._servers import json_answer, ok_create, scripted_server
from tests.client.conftest import KEY
from tests.images import png

DEADLINE = 30.0
CREATE = "/v1/video_generation"
URL = "https://example.test/frame.jpg"


@pytest.mark.parametrize(
    ("images", "model"),
    [
        pytest.param({}, "MiniMax-Hailuo-2.3", id="text-to-video"),
        pytest.param({"first_frame_image": URL}, "MiniMax-Hailuo-2.3", id="image-to-video"),
        pytest.param(
            {"first_frame_image": URL, "last_frame_image": URL},
            "MiniMax-Hailuo-02",
            id="first+last frame",
        ),
        pytest.param({"subject_reference": URL}, "S2V-01", id="subject"),
    ],
)
async def test_no_model_means_the_modes_default(
    client: AsyncMiniMax, emu: Emulator, images: dict[str, Any], model: str
) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(prompt="a lighthouse", **images)
        await task.result(timeout=DEADLINE)
    (request,) = emu.requests_to(CREATE)
    assert request.json["model"] == model


async def test_a_given_model_is_still_checked_against_the_mode(client: AsyncMiniMax) -> None:
    # The default is per mode; a model chosen by the caller is not silently replaced.
    with pytest.raises(InvalidInputError, match=r"model='MiniMax-Hailuo-2\.3': does not support"):
        await client.video.create(
            model="MiniMax-Hailuo-2.3", prompt="x", first_frame_image=URL, last_frame_image=URL
        )


async def test_extra_body_is_sent_as_given_and_journaled(emu: Emulator) -> None:
    journal = MemoryJournal()
    extra = {"seed": 42, "style": {"grain": 0.5}, "resolution": "768P"}
    async with AsyncMiniMax(
        api_key=KEY, base_url=emu.base_url, rpm=None, poll_interval=0.02, journal=journal
    ) as client:
        task = await client.video.create(prompt="a fox", extra_body=extra)
        agent = await client.video_agent.create(
            template_id=client.video_agent.templates[6].template_id,
            text_inputs=["a day at school"],
            extra_body={"seed": 7},
        )
        entries = {entry.task_id: entry for entry in await journal.entries()}
    (video_request,) = emu.requests_to(CREATE)
    assert video_request.json == {"model": "MiniMax-Hailuo-2.3", "prompt": "a fox", **extra}
    assert entries[task.task_id].body == video_request.json
    (agent_request,) = emu.requests_to("/v1/video_template_generation")
    assert agent_request.json["seed"] == 7
    assert entries[agent.task_id].body["seed"] == 7


async def test_extra_headers_go_on_the_create_request() -> None:
    async with (
        scripted_server({CREATE: [json_answer(ok_create())]}) as server,
        AsyncMiniMax(api_key=KEY, base_url=server.url, rpm=None) as client,
    ):
        await client.video.create(prompt="a fox", extra_headers={"X-Experiment": "h3"})
    assert server.headers["X-Experiment"] == "h3"
    assert server.headers["Authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"extra_body": ["seed", 1]}, "extra_body=.*mapping with string keys"),
        pytest.param({"extra_body": {1: "x"}}, "extra_body=.*mapping with string keys"),
        pytest.param({"extra_body": {"when": object()}}, "extra_body=.*JSON-serialisable"),
        pytest.param({"extra_body": {"x": float("nan")}}, "extra_body=.*JSON-serialisable"),
        pytest.param({"extra_headers": {"X-A": 1}}, "extra_headers=.*header names to strings"),
        pytest.param({"extra_headers": {"authorization": "Bearer x"}}, "pass api_key instead"),
    ],
)
async def test_bad_extras_are_refused_before_any_request(
    client: AsyncMiniMax, emu: Emulator, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        await client.video.create(prompt="a fox", first_frame_image=png(640, 480), **options)
    assert emu.requests_to(CREATE) == []
