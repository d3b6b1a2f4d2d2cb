"""Video Agent: catalogue per region, required inputs refused locally, full round trip."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from minimax_async import (
    AsyncMiniMax,
    InvalidInputError,
    TaskFailedError,
    TemplateWarning,
)
from minimax_async.emulator import Emulator
from tests.client.conftest import ClientFactory
from tests.images import JPEG_640x360

DEADLINE = 30.0
CREATE = "/v1/video_template_generation"
DIVING_GLOBAL = "392747428568649728"
DIVING_CN = "392753057216684038"
RUN_FOR_LIFE = "393769180141805569"  # media + text
ANIME = "394514820878671878"  # text only


async def test_catalogue_is_the_regions(make_client: ClientFactory) -> None:
    glob = make_client(region="global").video_agent
    china = make_client(region="cn").video_agent
    assert DIVING_GLOBAL in {t.template_id for t in glob.templates}
    assert DIVING_CN not in {t.template_id for t in glob.templates}
    assert DIVING_CN in {t.template_id for t in china.templates}
    template = glob.template(RUN_FOR_LIFE)
    assert template is not None
    assert template.required_inputs == ("media_inputs", "text_inputs")


async def test_round_trip_and_download(client: AsyncMiniMax, emu: Emulator, tmp_path: Path) -> None:
    progress: list[int] = []
    with anyio.fail_after(DEADLINE):
        task = await client.video_agent.create(
            template_id=RUN_FOR_LIFE, media_inputs=[JPEG_640x360], text_inputs=["Lion"]
        )
        result = await task.result(timeout=DEADLINE)
        path = await result.download(
            tmp_path / "agent.mp4", progress=lambda d, t: progress.append(d)
        )
    (body,) = [r.json for r in emu.requests_to(CREATE)]
    assert body["template_id"] == RUN_FOR_LIFE
    assert body["text_inputs"] == [{"value": "Lion"}]
    assert body["media_inputs"][0]["value"].startswith("data:image/jpeg;base64,")
    assert result.video_url.startswith(emu.base_url)
    assert path.read_bytes() == emu.tasks[task.task_id].asset.read_bytes()
    assert progress[-1] == path.stat().st_size


async def test_expired_agent_url_is_requeried(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path
) -> None:
    emu.config.agent_url_ttl = 0.0  # the URL in the result is already dead
    with anyio.fail_after(DEADLINE):
        task = await client.video_agent.create(template_id=ANIME, text_inputs=["a day at school"])
        result = await task.result(timeout=DEADLINE)
        emu.config.agent_url_ttl = 32400.0  # the re-query mints a working one
        path = await result.download(tmp_path / "fresh.mp4")
    statuses = [r.http_status for r in emu.requests if r.path.startswith("/download/")]
    assert statuses == [403, 200]
    assert path.stat().st_size > 0


async def test_agent_failure(client: AsyncMiniMax, emu: Emulator) -> None:
    emu.config.fail_when = lambda body: 1027
    with anyio.fail_after(DEADLINE):
        task = await client.video_agent.create(template_id=ANIME, text_inputs=["x"])
        with pytest.raises(TaskFailedError):
            await task.result(timeout=DEADLINE)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"template_id": RUN_FOR_LIFE, "text_inputs": ["Lion"]}, "media_inputs"),
        ({"template_id": RUN_FOR_LIFE, "media_inputs": [JPEG_640x360]}, "text_inputs"),
        ({"template_id": ANIME}, "text_inputs"),
        ({"template_id": ANIME, "text_inputs": "not a list"}, "text_inputs"),
        ({"template_id": ANIME, "text_inputs": ["  "]}, "text_inputs[0]"),
        ({"template_id": DIVING_CN, "media_inputs": [JPEG_640x360]}, "template_id"),
        ({"template_id": "abc"}, "template_id"),
        ({"template_id": DIVING_GLOBAL, "media_inputs": ["/no/such/file.png"]}, "media_inputs[0]"),
        ({"template_id": DIVING_GLOBAL, "media_inputs": JPEG_640x360}, "media_inputs"),
    ],
)
async def test_refused_before_any_request(
    client: AsyncMiniMax, emu: Emulator, options: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await client.video_agent.create(**options)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert emu.requests_to(CREATE) == []


async def test_int_template_id_is_sent_as_string_with_a_warning(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    with pytest.warns(TemplateWarning, match="2\\*\\*53"):
        await client.video_agent.create(template_id=int(ANIME), text_inputs=["x"])
    (body,) = [r.json for r in emu.requests_to(CREATE)]
    assert body["template_id"] == ANIME


async def test_unknown_template_warns_and_is_sent(client: AsyncMiniMax, emu: Emulator) -> None:
    from minimax_async import InvalidRequestError

    with (
        pytest.warns(TemplateWarning, match="not in the global catalogue"),
        pytest.raises(InvalidRequestError),
    ):
        await client.video_agent.create(template_id="111111111111111111", text_inputs=["x"])
    assert len(emu.requests_to(CREATE)) == 1
