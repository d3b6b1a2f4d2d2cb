"""Every V2 create rule: HTTP 400, the envelope with (2013) at the end, no task created."""

from __future__ import annotations

from typing import Any

import pytest

from minimax_async.emulator import Emulator
from tests.emulator._v2 import V2, b64, heif, item, mp3, mp4, t2v, text, wav
from tests.images import GIF_400x400, data_url, png

URL = "https://example.test/frame.jpg"
VIDEO_URL = "https://example.test/motion.mp4"
AUDIO_URL = "https://example.test/voice.mp3"
IMG = item("image_url", URL, "reference_image")
FIRST = item("image_url", URL, "first_frame")
LAST = item("image_url", URL, "last_frame")
REF_VIDEO = item("video_url", VIDEO_URL, "reference_video")
REF_AUDIO = item("audio_url", AUDIO_URL, "reference_audio")


def with_items(*items: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return t2v(content=[text(), *items], ratio=changes.pop("ratio", "adaptive"), **changes)


MAX = {"model": "MiniMax-H3-Max", "resolution": "768P"}

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("no model", t2v(model=None), "model"),
    ("unknown model", t2v(model="MiniMax-H4"), "model"),
    ("a V1 model", t2v(model="MiniMax-Hailuo-02"), "model"),
    ("model as number", t2v(model=3), "model"),
    ("no content", t2v(content=None), "content"),
    ("empty content", t2v(content=[]), "content"),
    ("content not a list", t2v(content="a fox"), "content"),
    ("item not an object", t2v(content=["a fox"]), "content[0]"),
    ("no text item", t2v(content=[FIRST], ratio="adaptive"), "content"),
    ("blank text", t2v(content=[text("   ")]), "content"),
    ("text not a string", t2v(content=[{"type": "text", "text": 5}]), "content[0].text"),
    ("text too long", t2v(content=[text("x" * 7001)]), "content[0].text"),
    ("unknown item type", t2v(content=[text(), {"type": "file_url"}]), "content[1].type"),
    ("media without url", t2v(content=[text(), {"type": "image_url"}]), "content[1].image_url"),
    ("no resolution", t2v(resolution=None), "resolution"),
    ("2K on H3-Max", t2v(model="MiniMax-H3-Max", resolution="2K"), "resolution"),
    ("480P on H3", t2v(resolution="480P"), "resolution"),
    ("lowercase p", t2v(resolution="768p"), "resolution"),
    ("no duration", t2v(duration=None), "duration"),
    ("duration 3 on H3", t2v(duration=3), "duration"),
    ("duration 4 on H3-Max", t2v(**MAX, duration=4), "duration"),
    ("duration 16", t2v(duration=16), "duration"),
    ("duration as string", t2v(duration="5"), "duration"),
    ("duration as float", t2v(duration=5.5), "duration"),
    ("duration as bool", t2v(duration=True), "duration"),
    ("unknown ratio", t2v(ratio="2:1"), "ratio"),
    ("T2V adaptive", t2v(ratio="adaptive"), "ratio"),
    ("T2V without ratio", t2v(ratio=None), "ratio"),
    ("extra on H3", t2v(extra={"prompt_expansion_mode": "quality"}), "extra"),
    ("extra other key", t2v(**MAX, extra={"seed": 1}), "extra.seed"),
    ("extra 'balance'", t2v(**MAX, extra={"prompt_expansion_mode": "balance"}), "extra"),
    ("extra empty mode", t2v(**MAX, extra={"prompt_expansion_mode": ""}), "extra"),
    ("extra bool mode", t2v(**MAX, extra={"prompt_expansion_mode": True}), "extra"),
    ("extra not an object", t2v(**MAX, extra="quality"), "extra"),
    ("callback not a URL", t2v(callback_url="my-host/hook"), "callback_url"),
    (
        "bad role for image",
        with_items(item("image_url", URL, "reference_video")),
        "content[1].role",
    ),
    (
        "bad role for audio",
        with_items(IMG, item("audio_url", AUDIO_URL, "first_frame")),
        "content[2].role",
    ),
    (
        "two images, no roles",
        with_items(item("image_url", URL), item("image_url", URL)),
        "content[1].role",
    ),
    ("two first frames", with_items(FIRST, FIRST), "content"),
    ("two last frames", with_items(FIRST, LAST, LAST), "content"),
    ("frames mixed with references", with_items(FIRST, IMG), "content"),
    ("frame mixed with video reference", with_items(FIRST, REF_VIDEO), "content"),
    ("ten reference images", with_items(*[IMG] * 10), "content"),
    ("four reference videos", with_items(*[REF_VIDEO] * 4), "content"),
    ("four reference audios", with_items(IMG, *[REF_AUDIO] * 4), "content"),
    ("thirteen references", with_items(*[IMG] * 9, *[REF_VIDEO] * 3, REF_AUDIO), "content"),
    ("audio the only reference", with_items(REF_AUDIO), "content"),
    (
        "media scheme ftp",
        with_items(item("image_url", "ftp://x/y.png")),
        "content[1].image_url.url",
    ),
    (
        "media URL without host",
        with_items(item("image_url", "https://")),
        "content[1].image_url.url",
    ),
    ("unknown mm_file", with_items(item("image_url", "mm_file://123")), "content[1].image_url.url"),
    # Inline media, checked by their real headers.
    (
        "GIF image",
        with_items(item("image_url", data_url(GIF_400x400.read_bytes(), "image/gif"))),
        "content[1].image_url.url",
    ),
    (
        "GIF bytes said PNG",
        with_items(item("image_url", data_url(GIF_400x400.read_bytes()))),
        "content[1].image_url.url",
    ),
    (
        "image side 255",
        with_items(item("image_url", data_url(png(255, 400)))),
        "content[1].image_url.url",
    ),
    (
        "image side 5761",
        with_items(item("image_url", b64(heif(5761, 3000), "image/heic"))),
        "content[1].image_url.url",
    ),
    (
        "aspect 0.39",
        with_items(item("image_url", data_url(png(390, 1000)))),
        "content[1].image_url.url",
    ),
    (
        "aspect 2.51",
        with_items(item("image_url", data_url(png(1004, 400)))),
        "content[1].image_url.url",
    ),
    (
        "bad base64",
        with_items(item("image_url", "data:image/png;base64,!!")),
        "content[1].image_url.url",
    ),
    (
        "video as data:video/quicktime",
        with_items(item("video_url", b64(mp4(), "video/quicktime"), "reference_video")),
        "content[1].video_url.url",
    ),
    (
        "video not an MP4",
        with_items(item("video_url", b64(b"not a movie at all", "video/mp4"), "reference_video")),
        "content[1].video_url.url",
    ),
    (
        "video 1.5 s",
        with_items(item("video_url", b64(mp4(frames=36), "video/mp4"), "reference_video")),
        "content[1].video_url.url",
    ),
    (
        "video 16 s",
        with_items(item("video_url", b64(mp4(frames=384), "video/mp4"), "reference_video")),
        "content[1].video_url.url",
    ),
    (
        "video 20 fps",
        with_items(item("video_url", b64(mp4(seconds=6.2), "video/mp4"), "reference_video")),
        "content[1].video_url.url",
    ),
    (
        "video 62 fps",
        with_items(item("video_url", b64(mp4(seconds=2.0), "video/mp4"), "reference_video")),
        "content[1].video_url.url",
    ),
    (
        "video codec mp4v",
        with_items(item("video_url", b64(mp4(codec=b"mp4v"), "video/mp4"), "reference_video")),
        "content[1].video_url.url",
    ),
    (
        "video too narrow",
        with_items(item("video_url", b64(mp4(size=(200, 400)), "video/mp4"), "reference_video")),
        "content[1].video_url.url",
    ),
    (
        "videos over 15 s in total",
        with_items(*[item("video_url", b64(mp4(frames=144), "video/mp4"), "reference_video")] * 3),
        "content",
    ),
    (
        "audio as data:audio/ogg",
        with_items(IMG, item("audio_url", b64(wav(3), "audio/ogg"), "reference_audio")),
        "content[2].audio_url.url",
    ),
    (
        "audio 1 s",
        with_items(IMG, item("audio_url", b64(wav(1), "audio/wav"), "reference_audio")),
        "content[2].audio_url.url",
    ),
    (
        "audio 16 s",
        with_items(IMG, item("audio_url", b64(mp3(16), "audio/mp3"), "reference_audio")),
        "content[2].audio_url.url",
    ),
    (
        "audio not audio",
        with_items(IMG, item("audio_url", b64(png(300, 300), "audio/mp3"), "reference_audio")),
        "content[2].audio_url.url",
    ),
    (
        "audios over 15 s in total",
        with_items(IMG, *[item("audio_url", b64(wav(6), "audio/wav"), "reference_audio")] * 3),
        "content",
    ),
]


async def assert_refused(
    v2: V2, emu: Emulator, body: Any, field: str, path: str = "/v2/video_generation"
) -> str:
    before = set(emu.v2_tasks)
    status, answer = await v2.create(body, path)
    assert status == 400, answer
    error = answer["error"]
    assert error["type"] == "bad_request_error"
    assert error["message"].startswith(f"invalid params, {field}"), error["message"]
    assert error["message"].endswith(" (2013)")
    assert set(emu.v2_tasks) == before  # nothing half-created
    assert emu.requests[-1].status_code == 2013
    message: str = error["message"]
    return message


@pytest.mark.parametrize(
    ("body", "field"), [(b, f) for _, b, f in CASES], ids=[c[0] for c in CASES]
)
async def test_every_create_rule(
    v2: V2, minimax_emulator: Emulator, body: dict[str, Any], field: str
) -> None:
    await assert_refused(v2, minimax_emulator, body, field)
    # A refused request leaves the emulator whole: the next good one goes through.
    assert await v2.created(t2v())


async def test_the_missing_text_message_is_the_documented_one(
    v2: V2, minimax_emulator: Emulator
) -> None:
    message = await assert_refused(v2, minimax_emulator, t2v(content=[text("")]), "content")
    assert "content must include a non-empty text item (prompt is required)" in message


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[1]", b'"x"', b"null", b"[" * 100_000, b'{"model": "\xff"}'],
)
async def test_malformed_bodies(v2: V2, minimax_emulator: Emulator, raw: bytes) -> None:
    status, answer = await v2.call("POST", "/v2/video_generation", data=raw)
    assert status == 400
    assert answer["error"]["message"].startswith("invalid params, body=")
    assert minimax_emulator.v2_tasks == {}


VALID: list[tuple[str, dict[str, Any], str]] = [
    ("T2V 2K 21:9", t2v(resolution="2K", ratio="21:9", duration=15), "21:9"),
    ("H3 at 4 s", t2v(duration=4), "16:9"),
    (
        "H3-Max 480P with extra",
        t2v(**{**MAX, "resolution": "480P"}, extra={"prompt_expansion_mode": "disabled"}),
        "16:9",
    ),
    (
        "a lone image is a first frame",
        with_items(item("image_url", data_url(png(480, 640)))),
        "3:4",
    ),
    (
        "frames force adaptive",
        with_items(FIRST, item("image_url", URL, "last_frame"), ratio="1:1"),
        "16:9",
    ),
    (
        "last frame alone (default reading)",
        with_items(item("image_url", data_url(png(640, 640)), "last_frame")),
        "1:1",
    ),
    (
        "references follow the first image",
        with_items(item("image_url", b64(heif(1920, 1080), "image/heif"), "reference_image")),
        "16:9",
    ),
    ("references with a concrete ratio", with_items(IMG, REF_VIDEO, ratio="9:16"), "9:16"),
    (
        "audio with a video",
        with_items(
            item("video_url", b64(mp4("768P", "1:1"), "video/mp4"), "reference_video"),
            item("audio_url", b64(mp3(3), "audio/mpeg"), "reference_audio"),
        ),
        "1:1",
    ),
    (
        "video and audio without roles",
        with_items(item("video_url", VIDEO_URL), item("audio_url", b64(wav(2.5), "audio/wav"))),
        "16:9",
    ),
    ("nine images, three videos", with_items(*[IMG] * 9, *[REF_VIDEO] * 3), "16:9"),
    ("several text items", t2v(content=[text(), text("")]), "16:9"),
    ("unknown top-level fields ignored", t2v(seed=42, prompt_optimizer=True), "16:9"),
    ("aigc_watermark", t2v(aigc_watermark=True), "16:9"),
    ("text of 7000 characters", t2v(content=[text("x" * 7000)]), "16:9"),
    ("image side 256, aspect 0.4", with_items(item("image_url", data_url(png(256, 640)))), "9:16"),
]


@pytest.mark.parametrize(
    ("body", "ratio"), [(b, r) for _, b, r in VALID], ids=[c[0] for c in VALID]
)
async def test_valid_bodies_are_accepted(
    v2: V2, minimax_emulator: Emulator, body: dict[str, Any], ratio: str
) -> None:
    task_id = await v2.created(body)
    task = minimax_emulator.v2_tasks[task_id]
    assert task.ratio == ratio
    from minimax_async.emulator._v2_tables import OUTPUT_PIXELS

    assert (task.width, task.height) == OUTPUT_PIXELS[task.resolution][ratio]


async def test_knob_text_items_exactly_one(v2: V2, minimax_emulator: Emulator) -> None:
    body = t2v(content=[text(), text("more")])
    assert await v2.created(body)
    minimax_emulator.config.v2_text_items = "exactly_one"
    await assert_refused(v2, minimax_emulator, body, "content")


async def test_knob_strict_fields(v2: V2, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.v2_strict_fields = True
    await assert_refused(v2, minimax_emulator, t2v(seed=7), "seed")
    # Globally aigc_watermark is not a create field; on the China profile it is.
    await assert_refused(v2, minimax_emulator, t2v(aigc_watermark=True), "aigc_watermark")
    minimax_emulator.config.region = "cn"
    await assert_refused(v2, minimax_emulator, t2v(aigc_watermark="yes"), "aigc_watermark")
    assert await v2.created(t2v(aigc_watermark=True))


async def test_knob_h3_max_default_resolution(v2: V2, minimax_emulator: Emulator) -> None:
    body = t2v(model="MiniMax-H3-Max", resolution=None)
    await assert_refused(v2, minimax_emulator, body, "resolution")
    minimax_emulator.config.v2_max_default_resolution = True
    task_id = await v2.created(body)
    assert minimax_emulator.v2_tasks[task_id].resolution == "768P"
    # H3 has no documented default either way.
    await assert_refused(v2, minimax_emulator, t2v(resolution=None), "resolution")


async def test_knob_last_frame_alone(v2: V2, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.v2_last_frame_alone = False
    await assert_refused(v2, minimax_emulator, with_items(LAST), "content")
    assert await v2.created(with_items(FIRST, LAST))


async def test_knob_h3_max_references(v2: V2, minimax_emulator: Emulator) -> None:
    body = with_items(IMG, **MAX)
    assert await v2.created(body)
    minimax_emulator.config.v2_max_references = False
    await assert_refused(v2, minimax_emulator, body, "model")


async def test_knob_extra_on_h3(v2: V2, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.v2_extra_on_h3 = True
    assert await v2.created(t2v(extra={"prompt_expansion_mode": "quality"}))
    await assert_refused(v2, minimax_emulator, t2v(extra={"other": 1}), "extra.other")


@pytest.mark.parametrize("cap_status", [413, 400])
async def test_the_body_cap(v2: V2, minimax_emulator: Emulator, cap_status: int) -> None:
    # 64 MB by default; lowered here so the test sends kilobytes, not megabytes.
    assert minimax_emulator.config.max_body_bytes == 64 * 1024 * 1024
    minimax_emulator.config.max_body_bytes = 50_000
    minimax_emulator.config.v2_body_cap_status = cap_status
    image = item("image_url", data_url(png(300, 300) + b"\0" * 60_000), "reference_image")
    status, answer = await v2.create(with_items(image))
    assert status == cap_status
    assert "larger than 50000 bytes" in answer["error"]["message"]
    assert answer["error"]["message"].endswith("(2013)")
    assert minimax_emulator.v2_tasks == {}
    assert await v2.created(t2v())
