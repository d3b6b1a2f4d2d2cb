"""MiniMax-H3 end to end on the V2 emulator: create, wait, download, cancel, list, upload.

Every mode goes through ``client.video.create(model=...)`` as a user writes it, to the
emulator's real routes, and comes back through the one waiting engine: by polling,
and with the bundled receiver by V2 pushes (with delivery faults on).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final

import anyio
import pytest

from minimax_async import (
    AmbiguousCreateError,
    AsyncMiniMax,
    AuthenticationError,
    CallbackServer,
    InvalidInputError,
    InvalidRequestError,
    QuotaError,
    RateLimitError,
    SensitiveContentError,
    ServerError,
    TaskFailedError,
    TaskStatus,
    V2PromptTask,
    V2Video,
    V2VideoTask,
    VideoTask,
    no_backoff,
)
from minimax_async._media import probe_media
from minimax_async.emulator import Emulator, EmulatorConfig
from tests.images import JPEG_640x360, png
from tests.v2.media import CLIP_3S, CLIP_MOV, VOICE_MP3

KEY = "v2-emulated-key-2718"
DEADLINE = 30.0
H3: Final = "MiniMax-H3"  # Final: a Literal, so create() is typed as a V2 create


@pytest.fixture
def config() -> EmulatorConfig:
    # About 10 ms queued and 30 ms running; 10 ms for the fast H3-Max.
    return EmulatorConfig(time_scale=0.01, seed=3, api_keys=frozenset({KEY}))


@pytest.fixture
async def emu(config: EmulatorConfig) -> AsyncIterator[Emulator]:
    async with Emulator(config=config) as emulator:
        yield emulator


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[AsyncMiniMax]:
    async with AsyncMiniMax(
        api_key=KEY, base_url=emu.base_url, poll_interval=0.02, rpm=None
    ) as made:
        yield made


def mp4_info(path: Path) -> Any:
    with path.open("rb") as file:
        return probe_media(file, size=path.stat().st_size, field="out", shown=path)


async def test_text_to_video_h3_gives_a_playable_mp4_with_audio(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path
) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(
            model=H3, prompt="A lighthouse at dusk", resolution="768P", duration=5, ratio="9:16"
        )
        assert isinstance(task, V2VideoTask)
        video = await task.result(timeout=DEADLINE)
        saved = await video.download(tmp_path / "h3.mp4")
    assert isinstance(video, V2Video)
    assert (video.model, video.resolution, video.duration, video.ratio) == (H3, "768P", 5, "9:16")
    assert video.usage is not None
    assert video.usage.output_seconds == 5
    info = mp4_info(saved)
    assert (info.width, info.height) == (768, 1344)  # 768P 9:16
    assert info.audio_codec == "mp4a"  # V2 outputs always carry sound
    assert task.status is TaskStatus.SUCCESS
    assert task.snapshot is not None
    assert task.snapshot.raw_status == "succeeded"
    body = emu.requests_to("/v2/video_generation")[0].json
    assert body == {
        "model": H3,
        "content": [{"type": "text", "text": "A lighthouse at dusk"}],
        "resolution": "768P",
        "duration": 5,
        "ratio": "9:16",
    }


async def test_frames_and_references_on_both_models(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path
) -> None:
    with anyio.fail_after(DEADLINE):
        framed = await client.video.create(
            model="MiniMax-H3-Max",
            prompt="The crane unfolds",
            first_frame_image=png(640, 400),
            last_frame_image=JPEG_640x360,
            resolution="480P",
            prompt_expansion_mode="disabled",
        )
        referenced = await client.video.create(
            model=H3,
            prompt="Image 1 walks through the market; voice follows Audio 1",
            reference_images=[JPEG_640x360],
            reference_videos=[CLIP_3S, CLIP_MOV],  # the MOV goes up as mm_file://
            reference_audios=[VOICE_MP3],
            resolution="2K",
        )
        first = await framed.result(timeout=DEADLINE)
        second = await referenced.result(timeout=DEADLINE)
    assert first.resolution == "480P"
    assert second.resolution == "2K"
    assert len(emu.uploads) == 1  # the MOV
    sent = emu.v2_tasks[referenced.task_id].request
    assert [item.get("role") for item in sent["content"]] == [
        None,
        "reference_image",
        "reference_video",
        "reference_video",
        "reference_audio",
    ]
    assert sent["content"][3]["video_url"]["url"].startswith("mm_file://")
    usage = second.usage
    assert usage is not None
    assert usage.input_image_count == 1


async def test_a_v1_field_on_h3_and_a_v2_field_on_hailuo_are_refused_locally(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    with pytest.raises(InvalidInputError) as v1_on_v2:
        await client.video.create(model=H3, prompt="x", prompt_optimizer=True)
    with pytest.raises(InvalidInputError) as v2_on_v1:
        await client.video.create(
            model="MiniMax-Hailuo-02",
            prompt="x",
            reference_images=[JPEG_640x360],
        )
    assert v1_on_v2.value.field == "prompt_optimizer"
    assert "V1" in v1_on_v2.value.rule
    assert v2_on_v1.value.field == "reference_images"
    assert "V2" in v2_on_v1.value.rule
    assert emu.requests == [] or all("video_generation" not in r.path for r in emu.requests)


async def test_the_v1_default_stays_and_a_v1_task_cannot_be_cancelled(
    client: AsyncMiniMax,
) -> None:
    task = await client.video.create(prompt="still Hailuo by default")
    assert isinstance(task, VideoTask)
    with pytest.raises(InvalidInputError, match="no cancel"):
        await task.cancel()


async def test_a_queued_task_is_cancelled_and_ends_without_a_video(
    config: EmulatorConfig, client: AsyncMiniMax, emu: Emulator
) -> None:
    config.v2_queued_seconds = 3600.0  # stays queued
    task = await client.video.create(model=H3, prompt="never mind")
    answer = await task.cancel()
    assert answer.cancelled
    assert task.status is TaskStatus.FAIL
    with pytest.raises(TaskFailedError, match="cancelled"):
        await task.result(timeout=DEADLINE)
    assert emu.v2_tasks[task.task_id].status.value == "cancelled"
    assert client.in_flight == 0
    # Cancelling again is refused locally: the task is no longer queued.
    with pytest.raises(InvalidInputError, match="cancelled"):
        await task.cancel()


async def test_a_running_task_cannot_be_cancelled(
    config: EmulatorConfig, client: AsyncMiniMax
) -> None:
    config.v2_queued_seconds = 0.0
    config.v2_running_seconds = 3600.0
    task = await client.video.create(model=H3, prompt="too late")
    with anyio.fail_after(DEADLINE):
        async for snap in task.updates(timeout=DEADLINE):
            if snap.status is TaskStatus.PROCESSING:
                break
    with pytest.raises(InvalidInputError, match="running"):
        await task.cancel()


async def test_updates_yield_v2_statuses_in_order_and_to_dict_reattaches(
    client: AsyncMiniMax,
) -> None:
    task = await client.video.create(model=H3, prompt="watch it")
    saved = task.to_dict()
    assert saved == {"kind": "v2", "task_id": task.task_id}
    again = client.task_from_dict(saved)
    assert isinstance(again, V2VideoTask)
    with anyio.fail_after(DEADLINE):
        raw = [snap.raw_status async for snap in again.updates(timeout=DEADLINE)]
    assert raw[-1] == "succeeded"
    assert set(raw) <= {"queued", "running", "succeeded"}


async def test_an_expired_content_url_is_requeried_on_download(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path
) -> None:
    task = await client.video.create(model=H3, prompt="keep it for later")
    video = await task.result(timeout=DEADLINE)
    emu.advance(2 * 3600)  # past content.url's hour
    saved = await video.download(tmp_path / "late.mp4")
    assert mp4_info(saved).duration > 4
    queries = emu.requests_to(f"/v2/query/video_generation/{task.task_id}")
    assert len(queries) >= 2  # the wait's, and the re-query for a fresh URL


async def test_a_task_past_the_7_day_window_is_refused_not_polled_forever(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    task = await client.video.create(model=H3, prompt="old")
    await task.result(timeout=DEADLINE)
    emu.advance(8 * 24 * 3600)
    # Another process (a fresh client) re-attaches to it: MiniMax no longer knows it.
    async with AsyncMiniMax(api_key=KEY, base_url=emu.base_url, rpm=None) as later:
        with anyio.fail_after(DEADLINE), pytest.raises(InvalidRequestError) as caught:
            await later.task_from_dict(task.to_dict(), kind="v2").result(timeout=DEADLINE)
    assert caught.value.code == 2013
    assert caught.value.status_code == 400


async def test_list_finds_the_tasks_and_filters_them(client: AsyncMiniMax) -> None:
    tasks = [await client.video.create(model=H3, prompt=f"take {n}") for n in range(3)]
    for task in tasks:
        await task.result(timeout=DEADLINE)
    ids = [t.id async for t in client.video.list(page_size=2)]
    assert ids == [t.task_id for t in reversed(tasks)]  # newest first, over two pages
    picked = [t.id async for t in client.video.list(task_ids=[tasks[0].task_id])]
    assert picked == [tasks[0].task_id]
    assert [t async for t in client.video.list(status="queued")] == []


async def test_an_upload_is_usable_in_any_media_field(client: AsyncMiniMax, emu: Emulator) -> None:
    hero = await client.files.upload(JPEG_640x360)
    assert hero.file_id in emu.uploads
    task = await client.video.create(model=H3, prompt="Image 1 waves", reference_images=[hero])
    video = await task.result(timeout=DEADLINE)
    assert video.url


# --- every error status ----------------------------------------------------------------


async def test_each_error_status_of_a_create(
    config: EmulatorConfig, client: AsyncMiniMax, emu: Emulator
) -> None:
    config.v2_rpm_limit = 1
    await client.video.create(model=H3, prompt="the one allowed")
    with no_backoff(), pytest.raises(RateLimitError) as limited:
        await client.video.create(model=H3, prompt="one too many")
    config.v2_rpm_limit = None
    config.v2_insufficient_balance = True
    with pytest.raises(QuotaError) as quota:
        await client.video.create(model=H3, prompt="no money")
    config.v2_insufficient_balance = False
    config.v2_moderation_pattern = "forbidden"
    with pytest.raises(SensitiveContentError) as flagged:
        await client.video.create(model=H3, prompt="a forbidden scene")
    config.v2_moderation_pattern = None
    config.v2_error_rate = 1.0
    with no_backoff(), pytest.raises(AmbiguousCreateError):
        await client.video.create(model=H3, prompt="server trouble")
    assert (quota.value.status_code, quota.value.code) == (402, 1008)
    assert (flagged.value.status_code, flagged.value.code) == (422, 1026)
    assert (limited.value.status_code, limited.value.code) == (429, 1002)
    assert quota.value.request_id
    creates = emu.requests_to("/v2/video_generation")
    # 1 + (1 and 2 resends of the 429) + 1 + 1 + 1 (the 500, never resent)
    assert len(creates) == 7


async def test_a_529_create_is_ambiguous_and_sent_once_and_a_529_read_is_retried(
    config: EmulatorConfig, client: AsyncMiniMax, emu: Emulator
) -> None:
    done = await client.video.create(model=H3, prompt="made before the overload")
    config.v2_error_status = 529  # overloaded_error: MiniMax may have taken the create
    config.v2_error_rate = 1.0
    # no_backoff: a resend would be immediate, and counted below.
    with no_backoff(), pytest.raises(AmbiguousCreateError) as caught:
        await client.video.create(model=H3, prompt="while overloaded")
    assert "HTTP 529" in str(caught.value)
    assert caught.value.request["content"] == [{"type": "text", "text": "while overloaded"}]
    creates = emu.requests_to("/v2/video_generation")
    assert len(creates) == 2  # the one before, and this one: never resent
    assert (creates[-1].http_status, creates[-1].fault) == (529, "v2 529")
    # A read answered 529 is a ServerError, retried as a 500 is.
    path = f"/v2/query/video_generation/{done.task_id}"
    before = len(emu.requests_to(path))
    with no_backoff(), pytest.raises(ServerError) as read:
        await client.video.v2.query(done.task_id)
    assert read.value.status_code == 529
    assert len(emu.requests_to(path)) - before == 3  # the first try and 2 retries


@pytest.mark.parametrize("role", ["first_frame", "last_frame"])
async def test_one_frame_alone_gives_a_playable_mp4_in_its_aspect(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path, role: str
) -> None:
    frame = tmp_path / "portrait.png"
    frame.write_bytes(png(480, 640))  # 3:4
    first = frame if role == "first_frame" else None
    last = frame if role == "last_frame" else None
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(
            model=H3, prompt="The kite rises", first_frame_image=first, last_frame_image=last
        )
        video = await task.result(timeout=DEADLINE)
        saved = await video.download(tmp_path / "out.mp4")
    sent = emu.v2_tasks[task.task_id].request
    assert [item.get("role") for item in sent["content"]] == [None, role]
    assert sent["ratio"] == "adaptive"
    assert (video.resolution, video.duration) == ("768P", 5)
    info = mp4_info(saved)
    assert (info.width, info.height) == (768, 1024)  # 768P in the frame's 3:4, not 16:9
    assert (info.video_codec, info.audio_codec) == ("avc1", "mp4a")
    assert info.fps == pytest.approx(24.0)
    assert info.duration >= 5


async def test_a_failed_task_raises_with_its_code(
    config: EmulatorConfig, client: AsyncMiniMax
) -> None:
    config.fail_when = lambda body: 1027
    task = await client.video.create(model=H3, prompt="flagged output")
    with pytest.raises(TaskFailedError) as caught:
        await task.result(timeout=DEADLINE)
    assert caught.value.code == 1027
    assert caught.value.snapshot.raw_status == "failed"


# --- the receiver ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "faults",
    [
        {},
        {"push_duplicate_rate": 1.0},
        {"push_reorder": True},
        {"push_drop_rate": 1.0},
        {"push_before_create_returns": True},
        {"push_delay": 2.0},
    ],
    ids=["clean", "duplicated", "reordered", "all-dropped", "before-create-returns", "delayed"],
)
async def test_v2_pushes_resolve_tasks_through_the_receiver(
    config: EmulatorConfig, emu: Emulator, faults: dict[str, Any]
) -> None:
    for name, value in faults.items():
        setattr(config, name, value)
    dropped = faults.get("push_drop_rate") == 1.0
    # Without drops the result must come from a push: the quiet period is too long to poll.
    receiver = CallbackServer(quiet_period=0.2 if dropped else 600.0)
    async with AsyncMiniMax(
        api_key=KEY, base_url=emu.base_url, callbacks=receiver, poll_interval=600.0, rpm=None
    ) as client:
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(model=H3, prompt="pushed to me")
            returned_at = time.time()
            video = await task.result(timeout=DEADLINE)
    body = emu.requests_to("/v2/video_generation")[0].json
    assert body["callback_url"] == receiver.callback_url("v2")
    assert video.url
    pushes = [p for p in emu.pushes if p.body and "task" in p.body]
    assert pushes, "the emulator pushed V2 bodies"
    outcomes = {p.outcome for p in pushes}
    assert "rejected" not in outcomes  # the receiver took every V2 body it got
    if not dropped:
        assert "delivered" in outcomes
    if faults.get("push_before_create_returns"):
        # The early push was received while the create was still being answered.
        first = min(p.sent_at for p in pushes if p.delivered and p.sent_at is not None)
        assert first < returned_at


# --- regeneration (768P -> 2K) -----------------------------------------------------------


async def test_a_768p_output_is_regenerated_at_2k_from_its_file(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path
) -> None:
    prompt = "Image 1 runs through snow"
    first = await client.video.create(
        model=H3, prompt=prompt, ratio="16:9", reference_images=[JPEG_640x360]
    )
    video = await first.result(timeout=DEADLINE)
    base = await video.download(tmp_path / "base.mp4")  # 1344x768, 124 frames, with sound
    with anyio.fail_after(DEADLINE):
        # The original references go along (reference V2 §8.2), through client.video.
        task = await client.video.regenerate(
            base_video=base,
            prompt=prompt,
            reference_images=[JPEG_640x360],
            extra_body={"seed": 7},
        )
        sharp = await task.result(timeout=DEADLINE)
    assert sharp.resolution == "2K"
    record = emu.v2_tasks[task.task_id]
    assert record.task_type == "regeneration"
    roles = [item.get("role") for item in record.request["content"]]
    assert roles == [None, "reference_image", "base_video"]
    assert record.request["seed"] == 7


async def test_regeneration_by_task_and_its_local_refusals(
    config: EmulatorConfig, client: AsyncMiniMax
) -> None:
    first = await client.video.create(model=H3, prompt="A fox in snow", ratio="16:9")
    await first.result(timeout=DEADLINE)
    config.v2_regeneration_whitelisted = True
    again = await client.video.regenerate(first)
    assert (await again.result(timeout=DEADLINE)).resolution == "2K"
    with pytest.raises(InvalidInputError, match="exactly one"):
        await client.video.regenerate()
    with pytest.raises(InvalidInputError) as too_small:
        await client.video.regenerate(base_video=CLIP_3S, prompt="x")
    assert too_small.value.field == "base_video"
    assert "area" in too_small.value.rule  # 384x256 is no 768P output


async def test_candidates_find_what_an_ambiguous_create_may_have_made(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    since = time.time()
    wanted = await client.video.create(model=H3, prompt="the one", duration=5, resolution="768P")
    await client.video.create(model=H3, prompt="other size", duration=5, resolution="2K")
    await client.video.create(model=H3, prompt="other length", duration=6, resolution="768P")
    body = emu.v2_tasks[wanted.task_id].request
    found = await client.video.v2.candidates(body, since=since)
    assert [t.id for t in found] == [wanted.task_id]
    # Nothing in a window before any of them.
    assert await client.video.v2.candidates(body, since=since - 3600, until=since - 120) == []
    with pytest.raises(InvalidInputError):
        await client.video.v2.candidates({"model": "MiniMax-Hailuo-02"}, since=since)


async def test_context_ir_gives_an_enhanced_prompt_by_poll_and_by_push(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.v2.context_ir(
            prompt="Image 1 waves", reference_images=[JPEG_640x360], duration=6
        )
        enhanced = await task.result(timeout=DEADLINE)
    assert "[Shot 1]" in enhanced.prompt
    sent = emu.requests_to("/v2/h3_context_ir")[0].json
    assert "resolution" not in sent
    assert sent["duration"] == 6
    assert task.to_dict()["task_type"] == "h3_context_ir"
    # Saved and re-attached, it is a prompt task again; asking for a video task is refused.
    reattached = client.task_from_dict(task.to_dict())
    assert isinstance(reattached, V2PromptTask)
    assert (await reattached.result(timeout=DEADLINE)).prompt == enhanced.prompt
    with pytest.raises(InvalidInputError, match="prompt_task"):
        client.task_from_dict(task.to_dict(), kind="v2")
    again = await client.video.v2.prompt_task(task.task_id).result(timeout=DEADLINE)
    assert again.prompt == enhanced.prompt
    with pytest.raises(InvalidInputError, match="cannot be cancelled") as no_cancel:
        await client.video.v2.prompt_task(task.task_id).cancel()
    assert no_cancel.value.field == "task"
    assert emu.requests_to(f"/v2/video_generation/{task.task_id}") == []  # nothing sent
    receiver = CallbackServer(quiet_period=600.0)
    async with AsyncMiniMax(
        api_key=KEY, base_url=emu.base_url, callbacks=receiver, poll_interval=600.0, rpm=None
    ) as pushed:
        with anyio.fail_after(DEADLINE):
            by_push = await pushed.video.v2.context_ir(prompt="Gulls at dusk", ratio="16:9")
            assert (await by_push.result(timeout=DEADLINE)).prompt


async def test_a_wrong_key_is_401_and_a_failing_read_is_retried(
    config: EmulatorConfig, client: AsyncMiniMax, emu: Emulator
) -> None:
    async with AsyncMiniMax(api_key="not-the-key", base_url=emu.base_url, rpm=None) as wrong:
        with pytest.raises(AuthenticationError) as caught:
            await wrong.video.create(model=H3, prompt="who am I")
    assert (caught.value.status_code, caught.value.code) == (401, 1004)
    task = await client.video.create(model=H3, prompt="flaky reads")
    await task.result(timeout=DEADLINE)
    config.v2_error_rate = 1.0  # every V2 request now answers 500 (1000)
    path = f"/v2/query/video_generation/{task.task_id}"
    before = len(emu.requests_to(path))
    with no_backoff(), pytest.raises(ServerError):
        await client.video.v2.query(task.task_id)
    assert len(emu.requests_to(path)) - before == 3  # the first try and 2 retries
