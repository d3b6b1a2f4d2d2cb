"""/v1/files/upload with mm_file:// references, and the two MiniMax-H3-only endpoints."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from minimax_async.emulator import Emulator
from tests.emulator._v2 import V2, b64, heif, item, mp3, mp4, t2v, text, v2_caller, wav
from tests.images import png

IR = "/v2/h3_context_ir"
REGEN = "/v2/video_regeneration"


def refs(*items: dict[str, Any]) -> dict[str, Any]:
    return t2v(content=[text(), *items], ratio="adaptive")


async def test_upload_then_reference_by_mm_file(v2: V2, minimax_emulator: Emulator) -> None:
    status, body = await v2.upload(png(1280, 720))
    assert status == 200
    file = body["file"]
    assert body["base_resp"] == {"status_code": 0, "status_msg": "success"}
    assert isinstance(file["file_id"], int)  # a JSON number, as the reference's example
    assert (file["purpose"], file["bytes"], file["filename"]) == (
        "video_generation_input",
        len(png(1280, 720)),
        "input.bin",
    )
    task_id = await v2.created(
        refs(item("image_url", f"mm_file://{file['file_id']}", "reference_image"))
    )
    task = minimax_emulator.v2_tasks[task_id]
    assert task.ratio == "16:9"  # adaptive, from the uploaded image's header
    assert minimax_emulator.uploads[str(file["file_id"])].kind == "image"


async def test_uploaded_video_and_audio_count_in_usage(v2: V2, minimax_emulator: Emulator) -> None:
    _, video = await v2.upload(mp4("768P", "9:16", frames=96))  # 4 s
    _, audio = await v2.upload(wav(3))
    task_id = await v2.created(
        refs(
            item("video_url", f"mm_file://{video['file']['file_id']}", "reference_video"),
            item("audio_url", f"mm_file://{audio['file']['file_id']}", "reference_audio"),
        )
    )
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    task = await v2.task(task_id)
    assert task["ratio"] == "9:16"
    assert (task["usage"]["input_seconds"], task["usage"]["input_audio_seconds"]) == (4, 3)


@pytest.mark.parametrize(
    ("data", "purpose", "why"),
    [
        (png(100, 100), "video_generation_input", "each side must be 256-5760 px"),
        (png(1100, 400), "video_generation_input", "must be 0.4-2.5"),
        (mp4(frames=400), "video_generation_input", "each clip must be 2-15 s"),
        (mp4(seconds=1.0), "video_generation_input", "fps"),
        (mp3(1), "video_generation_input", "each clip must be 2-15 s"),
        (b"%PDF-1.4 not media", "video_generation_input", "not an image"),
        (heif(6000, 4000), "video_generation_input", "each side"),
        (png(640, 480), "video_generation", "purpose"),
    ],
)
async def test_uploads_are_checked_and_refusals_not_stored(
    v2: V2, minimax_emulator: Emulator, data: bytes, purpose: str, why: str
) -> None:
    status, body = await v2.upload(data, purpose=purpose)
    assert status == 400
    assert body["base_resp"]["status_code"] == 2013
    assert why in body["base_resp"]["status_msg"]
    assert minimax_emulator.uploads == {}


async def test_upload_needs_multipart_a_purpose_and_a_file(
    v2: V2, minimax_emulator: Emulator
) -> None:
    status, body = await v2.call(
        "POST", "/v1/files/upload", json={"purpose": "video_generation_input"}
    )
    assert (status, body["base_resp"]["status_code"]) == (400, 2013)

    form = aiohttp.FormData()
    form.add_field("file", png(300, 300), filename="a.png")
    status, body = await v2.call("POST", "/v1/files/upload", data=form)
    assert "purpose" in body["base_resp"]["status_msg"]
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("purpose", "video_generation_input")
    status, body = await v2.call("POST", "/v1/files/upload", data=form)
    assert "file" in body["base_resp"]["status_msg"]
    assert minimax_emulator.uploads == {}


async def test_an_upload_expires_after_seven_days(v2: V2, minimax_emulator: Emulator) -> None:
    _, body = await v2.upload(png(640, 480))
    ref = refs(item("image_url", f"mm_file://{body['file']['file_id']}", "reference_image"))
    assert await v2.created(ref)
    minimax_emulator.advance(7 * 24 * 3600)
    status, answer = await v2.create(ref)
    assert status == 400
    assert answer["error"]["message"].endswith("file expired (2013)")


async def test_mm_file_of_the_wrong_kind_or_account(v2: V2, minimax_emulator: Emulator) -> None:
    _, body = await v2.upload(wav(3))
    status, answer = await v2.create(
        refs(item("image_url", f"mm_file://{body['file']['file_id']}", "reference_image"))
    )
    assert status == 400
    assert "is audio, not image" in answer["error"]["message"]
    minimax_emulator.config.api_keys = None
    async with v2_caller(minimax_emulator.base_url, "other-key") as other:
        _, theirs = await other.upload(png(640, 480))
    status, answer = await v2.create(
        refs(item("image_url", f"mm_file://{theirs['file']['file_id']}", "reference_image"))
    )
    assert status == 400
    assert "no such file" in answer["error"]["message"]


async def test_knob_file_id_as_string_and_files_list(v2: V2, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.v2_file_id_type = "string"
    _, body = await v2.upload(png(640, 480))
    assert isinstance(body["file"]["file_id"], str)
    await v2.upload(png(640, 480), purpose="voice_clone")
    status, listed = await v2.call(
        "GET", "/v1/files/list", params={"purpose": "video_generation_input"}
    )
    assert status == 200
    assert [f["file_id"] for f in listed["files"]] == [body["file"]["file_id"]]


# --- /v2/h3_context_ir -------------------------------------------------------------


def ir(**changes: Any) -> dict[str, Any]:
    body = {
        "model": "MiniMax-H3",
        "content": [text("a fox in snow")],
        "duration": 6,
        "ratio": "16:9",
    }
    body.update(changes)
    return body


async def test_context_ir_returns_a_text_prompt(v2: V2, minimax_emulator: Emulator) -> None:
    task_id = await v2.created(ir(), IR)
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    task = await v2.task(task_id)
    assert (task["task_type"], task["modality"]) == ("h3_context_ir", "text")
    prompt = task["content"]["prompt"]
    assert prompt.startswith("integrated_multimodal_description: [Shot 1] a fox in snow")
    assert "overall_soundscape:" in prompt
    assert "non_diegetic_music:" in prompt
    assert set(task["usage"]) == {"total_tokens", "prompt_tokens", "completion_tokens"}
    assert (
        task["usage"]["total_tokens"]
        == task["usage"]["prompt_tokens"] + task["usage"]["completion_tokens"]
        > 0
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (ir(model="MiniMax-H3-Max"), "model"),
        (ir(duration=None), "duration"),
        (ir(ratio="adaptive"), "ratio"),
        (ir(content=[text(" ")]), "content"),
    ],
)
async def test_context_ir_rules(
    v2: V2, minimax_emulator: Emulator, body: dict[str, Any], field: str
) -> None:
    status, answer = await v2.create({k: v for k, v in body.items() if v is not None}, IR)
    assert status == 400
    assert answer["error"]["message"].startswith(f"invalid params, {field}")
    assert minimax_emulator.v2_tasks == {}


# --- /v2/video_regeneration ----------------------------------------------------------


async def test_regeneration_by_source_task(v2: V2, minimax_emulator: Emulator) -> None:
    source = await v2.created(t2v(ratio="9:16", duration=6))
    await minimax_emulator.wait_for_v2_status(source, "succeeded")
    task_id = await v2.created(
        {"model": "MiniMax-H3", "source_task_id": source, "resolution": "2K"}, REGEN
    )
    await minimax_emulator.wait_for_v2_status(task_id, "succeeded")
    task = await v2.task(task_id)
    assert (task["task_type"], task["resolution"], task["ratio"], task["duration"]) == (
        "regeneration",
        "2K",
        "",
        6,
    )
    assert minimax_emulator.v2_tasks[task_id].asset.name == "2K_9x16.mp4"  # type: ignore[union-attr]


async def test_regeneration_by_base_video(v2: V2, minimax_emulator: Emulator) -> None:
    base = item("video_url", b64(mp4("768P", "16:9", frames=124), "video/mp4"), "base_video")
    body = {
        "model": "MiniMax-H3",
        "content": [text("x" * 40000), base],
        "resolution": "2K",
        "aigc_watermark": True,
    }
    task_id = await v2.created(body, REGEN)
    task = minimax_emulator.v2_tasks[task_id]
    assert (task.width, task.height) == (2560, 1440)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"model": "MiniMax-H3-Max", "source_task_id": "1", "resolution": "2K"}, "MiniMax-H3 only"),
        ({"model": "MiniMax-H3", "source_task_id": "1", "resolution": "768P"}, "2K only"),
        ({"model": "MiniMax-H3", "resolution": "2K"}, "exactly one of"),
        (
            {"model": "MiniMax-H3", "source_task_id": "1", "resolution": "2K", "content": [text()]},
            "exactly one of",
        ),
        (
            {"model": "MiniMax-H3", "source_task_id": "424010985738629", "resolution": "2K"},
            "invalid task_id",
        ),
        (
            {"model": "MiniMax-H3", "content": [text()], "resolution": "2K"},
            "exactly one base_video",
        ),
        (
            {
                "model": "MiniMax-H3",
                "content": [
                    text("x" * 40001),
                    item("video_url", "https://e.test/v.mp4", "base_video"),
                ],
                "resolution": "2K",
            },
            "at most 40000",
        ),
        (
            {
                "model": "MiniMax-H3",
                "content": [
                    text(),
                    item("video_url", b64(mp4(audio=False), "video/mp4"), "base_video"),
                ],
                "resolution": "2K",
            },
            "audio track",
        ),
        (
            {
                "model": "MiniMax-H3",
                "content": [
                    text(),
                    item("video_url", b64(mp4("768P", "21:9"), "video/mp4"), "base_video"),
                ],
                "resolution": "2K",
            },
            None,
        ),
        (
            {
                "model": "MiniMax-H3",
                "content": [
                    text(),
                    item("video_url", b64(mp4("2K", "16:9"), "video/mp4"), "base_video"),
                ],
                "resolution": "2K",
            },
            "area",
        ),
        (
            {
                "model": "MiniMax-H3",
                "content": [
                    text(),
                    item("video_url", b64(mp4(frames=120), "video/mp4"), "base_video"),
                ],
                "resolution": "2K",
            },
            "steps of 17",
        ),
        (
            {
                "model": "MiniMax-H3",
                "content": [
                    text(),
                    item("video_url", b64(mp4(size=(1340, 768)), "video/mp4"), "base_video"),
                ],
                "resolution": "2K",
            },
            "multiples of 32",
        ),
    ],
)
async def test_regeneration_rules(
    v2: V2, minimax_emulator: Emulator, body: dict[str, Any], why: str | None
) -> None:
    status, answer = await v2.create(body, REGEN)
    if why is None:  # 1536x640 is inside the box: accepted
        assert status == 200, answer
        return
    assert status == 400, answer
    assert why in answer["error"]["message"]
    assert minimax_emulator.v2_tasks == {}


async def test_regeneration_needs_a_succeeded_768p_h3_source(
    v2: V2, minimax_emulator: Emulator
) -> None:
    source = await v2.created(t2v(resolution="2K"))
    await minimax_emulator.wait_for_v2_status(source, "succeeded")
    status, answer = await v2.create(
        {"model": "MiniMax-H3", "source_task_id": source, "resolution": "2K"}, REGEN
    )
    assert status == 400
    assert "succeeded 768P MiniMax-H3 task" in answer["error"]["message"]
    minimax_emulator.config.v2_regeneration_whitelisted = False
    status, answer = await v2.create(
        {"model": "MiniMax-H3", "source_task_id": source, "resolution": "2K"}, REGEN
    )
    assert "whitelist" in answer["error"]["message"]


async def test_an_oversized_purpose_field_is_refused(v2: V2, minimax_emulator: Emulator) -> None:
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("purpose", "video_generation_input" * 100)
    form.add_field("file", png(300, 300), filename="a.png")
    status, body = await v2.call("POST", "/v1/files/upload", data=form)
    assert (status, body["base_resp"]["status_code"]) == (400, 2013)
    assert body["base_resp"]["status_msg"].startswith("invalid params, purpose=")
    assert minimax_emulator.uploads == {}
