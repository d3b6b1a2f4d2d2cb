"""Every documented V2 create rule is checked locally, naming the field, value and rule.

The bodies are built by ``client.video.v2.body`` exactly as a create builds them; no
request is sent (an upload would be, and none of these needs one).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from minimax_async import (
    APIConnectionError,
    AsyncMiniMax,
    InvalidInputError,
    MissingDependencyError,
    no_backoff,
)
from tests.images import JPEG_640x360, WEBP_480x640, data_url, png
from tests.v2.media import (
    CLIP_3S,
    CLIP_10FPS,
    CLIP_12S,
    CLIP_128PX,
    CLIP_MOV,
    VOICE_MP3,
    VOICE_SHORT,
    VOICE_WAV,
    heif,
    mp4_variant,
    padded,
)

H3 = "MiniMax-H3"
MAX = "MiniMax-H3-Max"


@pytest.fixture
async def client() -> AsyncIterator[AsyncMiniMax]:
    # Nothing listens there: a test that tried to send anything would fail loudly.
    async with AsyncMiniMax(api_key="k", base_url="http://127.0.0.1:9", rpm=None) as made:
        yield made


async def body(client: AsyncMiniMax, **fields: Any) -> dict[str, Any]:
    fields.setdefault("model", H3)
    fields.setdefault("prompt", "Image 1 walks through the market")
    return await client.video.v2.body(**fields)


async def refused(client: AsyncMiniMax, **fields: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        await body(client, **fields)
    return caught.value


# --- the defaults and the three modes ------------------------------------------------


async def test_text_to_video_defaults_to_768p_5s_and_16_9(client: AsyncMiniMax) -> None:
    sent = await body(client, prompt="A lighthouse at dusk")
    assert sent == {
        "model": H3,
        "content": [{"type": "text", "text": "A lighthouse at dusk"}],
        "resolution": "768P",
        "duration": 5,
        "ratio": "16:9",
    }


async def test_frames_become_data_urls_with_roles_and_force_adaptive(
    client: AsyncMiniMax,
) -> None:
    first = png(640, 400)
    sent = await body(
        client, first_frame_image=first, last_frame_image=JPEG_640x360, resolution="2k"
    )
    assert sent["ratio"] == "adaptive"
    assert sent["resolution"] == "2K"
    text, one, two = sent["content"]
    assert text["type"] == "text"
    assert one == {
        "type": "image_url",
        "image_url": {"url": data_url(first)},
        "role": "first_frame",
    }
    assert two["role"] == "last_frame"
    assert two["image_url"]["url"] == data_url(JPEG_640x360.read_bytes(), "image/jpeg")


async def test_references_of_every_kind_are_sent_in_order_with_their_roles(
    client: AsyncMiniMax,
) -> None:
    sent = await body(
        client,
        reference_images=["https://example.test/hero.jpg", WEBP_480x640],
        reference_videos=[CLIP_3S],
        reference_audios=[VOICE_MP3, VOICE_WAV],
        ratio="9:16",
    )
    roles = [(item["type"], item.get("role")) for item in sent["content"]]
    assert roles == [
        ("text", None),
        ("image_url", "reference_image"),
        ("image_url", "reference_image"),
        ("video_url", "reference_video"),
        ("audio_url", "reference_audio"),
        ("audio_url", "reference_audio"),
    ]
    urls = [item[item["type"]]["url"] for item in sent["content"][1:]]
    assert urls[0] == "https://example.test/hero.jpg"  # a URL passes through
    assert urls[1].startswith("data:image/webp;base64,")
    assert base64.b64decode(urls[2].partition(",")[2]) == CLIP_3S.read_bytes()
    assert urls[3].startswith("data:audio/mp3;base64,")  # MiniMax's spelling, not mpeg
    assert urls[4].startswith("data:audio/wav;base64,")
    assert sent["ratio"] == "9:16"


async def test_references_default_to_adaptive_and_mm_file_passes_through(
    client: AsyncMiniMax,
) -> None:
    sent = await body(client, reference_images=["mm_file://123456"])
    assert sent["ratio"] == "adaptive"
    assert sent["content"][1]["image_url"] == {"url": "mm_file://123456"}


async def test_h3_max_takes_480p_and_prompt_expansion(client: AsyncMiniMax) -> None:
    sent = await body(
        client, model=MAX, resolution="480P", duration=15, prompt_expansion_mode="disabled"
    )
    assert sent["extra"] == {"prompt_expansion_mode": "disabled"}
    assert (sent["resolution"], sent["duration"]) == ("480P", 15)


async def test_a_heic_frame_is_read_from_its_ispe_box(client: AsyncMiniMax) -> None:
    sent = await body(client, first_frame_image=heif(4032, 3024))
    assert sent["content"][1]["image_url"]["url"].startswith("data:image/heif;base64,")
    error = await refused(client, first_frame_image=heif(6000, 4000))
    assert error.field == "first_frame_image"
    assert "6000x4000" in error.rule


async def test_a_binary_file_object_is_read(client: AsyncMiniMax) -> None:
    sent = await body(client, reference_images=[io.BytesIO(png(300, 300))])
    assert sent["content"][1]["image_url"]["url"] == data_url(png(300, 300))


# --- every rule, by field --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"model": "MiniMax-H4"}, "model", "not a V2 model"),
        ({"prompt": "   "}, "prompt", "non-empty text"),
        ({"prompt": None}, "prompt", "non-empty text"),
        ({"prompt": "x" * 7001}, "prompt", "at most 7000"),
        ({"resolution": "480P"}, "resolution", "MiniMax-H3 takes ['768P', '2K']"),
        ({"model": MAX, "resolution": "2K"}, "resolution", "['480P', '768P']"),
        ({"duration": 3}, "duration", "4-15"),
        ({"duration": 16}, "duration", "4-15"),
        ({"model": MAX, "duration": 4}, "duration", "5-15"),
        ({"duration": "5"}, "duration", "whole number"),
        ({"duration": 5.0}, "duration", "whole number"),
        ({"duration": True}, "duration", "whole number"),
        ({"ratio": "2:1"}, "ratio", "must be one of"),
        ({"ratio": "adaptive"}, "ratio", "text-to-video needs a concrete ratio"),
        ({"first_frame_image": JPEG_640x360, "ratio": "16:9"}, "ratio", "'adaptive'"),
        ({"prompt_expansion_mode": "quality"}, "prompt_expansion_mode", "only MiniMax-H3-Max"),
        ({"model": MAX, "prompt_expansion_mode": "balance"}, "prompt_expansion_mode", "one of"),
        ({"aigc_watermark": "yes"}, "aigc_watermark", "True, False or None"),
        (
            {"first_frame_image": JPEG_640x360, "reference_images": [JPEG_640x360]},
            "reference_images",
            "cannot be mixed",
        ),
        ({"reference_images": [JPEG_640x360] * 10}, "reference_images", "at most 9"),
        ({"reference_videos": [CLIP_3S] * 4}, "reference_videos", "at most 3"),
        (
            {"reference_audios": [VOICE_WAV] * 4, "reference_images": [JPEG_640x360]},
            "reference_audios",
            "at most 3",
        ),
        (
            {
                "reference_images": [JPEG_640x360] * 9,
                "reference_videos": [CLIP_3S] * 3,
                "reference_audios": [VOICE_WAV],
            },
            "reference_images",
            "at most 12 references",
        ),
        ({"reference_audios": [VOICE_WAV]}, "reference_audios", "only reference"),
        ({"reference_images": JPEG_640x360}, "reference_images", "must be a list"),
    ],
)
async def test_each_rule_is_refused_naming_field_value_and_rule(
    client: AsyncMiniMax, fields: dict[str, Any], field: str, words: str
) -> None:
    error = await refused(client, **fields)
    assert error.field == field
    assert words in error.rule
    assert field in str(error)


async def test_data_url_clips_count_toward_the_15_s_total_like_local_files(
    client: AsyncMiniMax,
) -> None:
    # 3 s + 12 s as data URLs, plus a 3 s file: 18 s, whichever form each one takes.
    inline = [
        data_url(CLIP_3S.read_bytes(), "video/mp4"),
        data_url(CLIP_12S.read_bytes(), "video/mp4"),
    ]
    error = await refused(client, reference_videos=[*inline, CLIP_3S])
    assert error.field == "reference_videos"
    assert "15 s together" in error.rule


@pytest.mark.parametrize(
    ("media", "field", "words"),
    [
        ({"reference_images": [png(200, 600)]}, "reference_images[0]", "256-5760"),
        ({"reference_images": [png(1000, 300)]}, "reference_images[0]", "0.4-2.5"),
        ({"first_frame_image": b"GIF89a" + b"\x00" * 40}, "first_frame_image", "unrecognised"),
        (
            {"reference_images": [CLIP_3S]},
            "reference_images[0]",
            "is video (mp4); this field takes JPG",
        ),
        ({"reference_videos": [JPEG_640x360]}, "reference_videos[0]", "MP4 or MOV"),
        ({"reference_videos": [CLIP_10FPS]}, "reference_videos[0]", "10.000 fps"),
        ({"reference_videos": [CLIP_128PX]}, "reference_videos[0]", "128x128"),
        (
            {"reference_videos": [CLIP_3S, CLIP_12S, CLIP_3S]},
            "reference_videos",
            "15 s together",
        ),
        (
            {"reference_images": [JPEG_640x360], "reference_audios": [VOICE_SHORT]},
            "reference_audios[0]",
            "lasts 1.00 s",
        ),
        (
            {"reference_images": [JPEG_640x360], "reference_audios": [VOICE_MP3, VOICE_MP3]},
            "reference_audios",
            "15 s together",
        ),
        ({"reference_images": ["/no/such/file.png"]}, "reference_images[0]", "no such file"),
        ({"reference_images": [Path("/")]}, "reference_images[0]", "directory"),
        ({"reference_images": [12]}, "reference_images[0]", "must be a URL"),
        (
            {"reference_images": ["data:image/png;base64,@@@"]},
            "reference_images[0]",
            "not valid base64",
        ),
        (
            {"reference_images": [data_url(png(300, 300), "image/PNG")]},
            "reference_images[0]",
            "lowercase",
        ),
        (
            {"reference_videos": ["data:video/quicktime;base64,AAAA"]},
            "reference_videos[0]",
            "only video data URL",
        ),
        (
            {"reference_images": [data_url(png(300, 300), "audio/mp3")]},
            "reference_images[0]",
            "must be image/",
        ),
    ],
)
async def test_each_media_rule_is_read_from_real_headers(
    client: AsyncMiniMax, media: dict[str, Any], field: str, words: str
) -> None:
    error = await refused(client, **media)
    assert error.field == field
    assert words in error.rule, error.rule


async def test_the_size_caps_are_checked_before_a_file_is_read(
    client: AsyncMiniMax, tmp_path: Path
) -> None:
    big = tmp_path / "big.mp4"
    with big.open("wb") as file:
        file.truncate(50 * 1024 * 1024 + 1)  # sparse: nothing is written, or read
    error = await refused(client, reference_videos=[big])
    assert error.field == "reference_videos[0]"
    assert "at most 50 MB" in error.rule


MB = 1024 * 1024
#: (field, a real file's header, the cap, fields a valid create needs besides it).
CAPPED: dict[str, tuple[str, bytes, int, dict[str, Any]]] = {
    "image": ("reference_images", png(300, 300), 30 * MB, {}),
    "audio": (
        "reference_audios",
        VOICE_WAV.read_bytes(),
        15 * MB,
        {"reference_images": [JPEG_640x360]},
    ),
}


@pytest.mark.parametrize("kind", list(CAPPED))
async def test_an_image_over_30_mb_and_an_audio_over_15_mb_are_refused(
    client: AsyncMiniMax, tmp_path: Path, kind: str
) -> None:
    name, head, cap, others = CAPPED[kind]
    # A real header, so only the size is wrong; the padding is a hole in a sparse file.
    big = padded(tmp_path / f"big.{kind}", head, cap + 1)
    # As a path, refused from its size on disk before it is read.
    by_path = await refused(client, **others, **{name: [big]})
    with big.open("rb") as file:
        # As an open file, read up to one byte past the cap, then refused by the rule.
        by_file = await refused(client, **others, **{name: [file]})
    for error, value in ((by_path, str(big)), (by_file, f"<{cap + 1} bytes>")):
        assert error.field == f"{name}[0]"
        assert error.value == value
        assert f"is {cap + 1} bytes" in error.rule
        assert f"may be at most {cap // MB} MB" in error.rule
        assert str(error).startswith(f"{name}[0]=")


@pytest.mark.parametrize("kind", list(CAPPED))
async def test_an_image_of_30_mb_and_an_audio_of_15_mb_are_taken(
    client: AsyncMiniMax, tmp_path: Path, kind: str
) -> None:
    name, head, cap, others = CAPPED[kind]
    full = padded(tmp_path / f"full.{kind}", head, cap)
    sent = await body(client, **others, **{name: [full]})
    item = sent["content"][-1]
    encoded = item[item["type"]]["url"].partition(",")[2]
    assert len(encoded) == 4 * ((cap + 2) // 3)  # all of it went inline


@pytest.mark.parametrize("fps", [23.976, 60])
async def test_a_clip_at_either_fps_bound_is_taken(
    client: AsyncMiniMax, tmp_path: Path, fps: float
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(mp4_variant(CLIP_3S, fps=fps))
    sent = await body(client, reference_videos=[clip])
    assert sent["content"][1]["role"] == "reference_video"


@pytest.mark.parametrize("fps", [60.1, 61])
async def test_a_clip_above_60_fps_is_refused(
    client: AsyncMiniMax, tmp_path: Path, fps: float
) -> None:
    # §3.4: reference videos play at 23.976-60 fps, both ends included.
    clip = tmp_path / "fast.mp4"
    clip.write_bytes(mp4_variant(CLIP_3S, fps=fps))
    error = await refused(client, reference_videos=[clip])
    assert error.field == "reference_videos[0]"
    assert error.value == str(clip)
    assert f"plays at {fps:.3f} fps" in error.rule
    assert "must be 23.976-60 fps" in error.rule


@pytest.mark.parametrize(
    ("video", "audio", "words"),
    [
        (b"vp09", None, "video codec vp09; must be H.264/AVC or H.265/HEVC"),
        (b"av01", None, "video codec av01; must be H.264/AVC or H.265/HEVC"),
        (None, b"ac-3", "audio codec ac-3; must be AAC or MP3"),
        (None, b"Opus", "audio codec Opus; must be AAC or MP3"),
    ],
    ids=["vp9", "av1", "ac3", "opus"],
)
async def test_a_codec_other_than_h264_hevc_or_aac_mp3_is_refused(
    client: AsyncMiniMax, tmp_path: Path, video: bytes | None, audio: bytes | None, words: str
) -> None:
    # The real clip's stsd entry type patched: what MiniMax's probe would report.
    clip = tmp_path / "recoded.mp4"
    clip.write_bytes(mp4_variant(CLIP_3S, video_codec=video, audio_codec=audio))
    error = await refused(client, reference_videos=[clip])
    assert error.field == "reference_videos[0]"
    assert error.value == str(clip)
    assert words in error.rule


@pytest.mark.parametrize(
    ("video", "audio"),
    [(b"hvc1", None), (b"hev1", None), (None, b".mp3")],
    ids=["hvc1", "hev1", "mp3"],
)
async def test_hevc_video_and_mp3_audio_are_taken(
    client: AsyncMiniMax, tmp_path: Path, video: bytes | None, audio: bytes | None
) -> None:
    clip = tmp_path / "other.mp4"
    clip.write_bytes(mp4_variant(CLIP_3S, video_codec=video, audio_codec=audio))
    sent = await body(client, reference_videos=[clip])
    assert sent["content"][1]["role"] == "reference_video"


async def test_the_error_never_carries_the_bytes(client: AsyncMiniMax) -> None:
    error = await refused(client, reference_images=[png(200, 600)])
    assert error.value == f"<{len(png(200, 600))} bytes>"


async def test_without_mutagen_a_local_audio_clip_names_the_extra(
    client: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "mutagen", None)
    with pytest.raises(MissingDependencyError, match=r"minimax-async\[media\]"):
        await body(client, reference_images=[JPEG_640x360], reference_audios=[VOICE_WAV])
    # A URL needs no local reading, so it works without the extra.
    sent = await body(
        client, reference_images=[JPEG_640x360], reference_audios=["https://example.test/a.mp3"]
    )
    assert json.dumps(sent).count("reference_audio") == 1


async def test_a_mov_cannot_go_inline_so_it_is_uploaded(client: AsyncMiniMax) -> None:
    # The client points at a closed port: the upload is tried, and fails to connect.
    with no_backoff(), pytest.raises(APIConnectionError):
        await body(client, reference_videos=[CLIP_MOV])
