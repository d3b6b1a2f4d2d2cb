"""Every create rule answers HTTP 200 + 2013 naming the field, and creates no task."""

from __future__ import annotations

import json
from typing import Any

import pytest

from minimax_async import TaskStatus
from minimax_async.emulator import Emulator
from tests.emulator._helpers import Caller
from tests.images import GIF_400x400, JPEG_640x360, WEBP_480x640, data_url, png

URL = "https://example.test/frame.jpg"
GOOD_PNG = data_url(png(640, 480))
SUBJECT = [{"type": "character", "image": [URL]}]

VIDEO_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("no model", {"prompt": "x"}, "model"),
    ("unknown model", {"model": "video-99", "prompt": "x"}, "model"),
    ("model as number", {"model": 1, "prompt": "x"}, "model"),
    ("I2V model for T2V", {"model": "I2V-01", "prompt": "x"}, "model"),
    ("2.3-Fast has no T2V", {"model": "MiniMax-Hailuo-2.3-Fast", "prompt": "x"}, "model"),
    ("T2V needs a prompt", {"model": "T2V-01"}, "prompt"),
    ("blank prompt", {"model": "T2V-01", "prompt": "   "}, "prompt"),
    ("prompt as number", {"model": "T2V-01", "prompt": 123}, "prompt"),
    ("prompt too long", {"model": "T2V-01", "prompt": "x" * 2001}, "prompt"),
    ("duration as string", {"model": "T2V-01", "prompt": "x", "duration": "6"}, "duration"),
    ("duration as bool", {"model": "T2V-01", "prompt": "x", "duration": True}, "duration"),
    ("duration as float", {"model": "T2V-01", "prompt": "x", "duration": 6.5}, "duration"),
    ("10 s on 01-series", {"model": "T2V-01", "prompt": "x", "duration": 10}, "duration"),
    (
        "10 s at 1080P",
        {"model": "MiniMax-Hailuo-02", "prompt": "x", "duration": 10, "resolution": "1080P"},
        "duration",
    ),
    (
        "720P on Hailuo",
        {"model": "MiniMax-Hailuo-2.3", "prompt": "x", "resolution": "720P"},
        "resolution",
    ),
    (
        "lowercase p",
        {"model": "MiniMax-Hailuo-2.3", "prompt": "x", "resolution": "768p"},
        "resolution",
    ),
    ("resolution as int", {"model": "T2V-01", "prompt": "x", "resolution": 720}, "resolution"),
    (
        "512P for T2V",
        {"model": "MiniMax-Hailuo-02", "prompt": "x", "resolution": "512P"},
        "resolution",
    ),
    (
        "optimizer as string",
        {"model": "T2V-01", "prompt": "x", "prompt_optimizer": "yes"},
        "prompt_optimizer",
    ),
    (
        "watermark as int",
        {"model": "T2V-01", "prompt": "x", "aigc_watermark": 1},
        "aigc_watermark",
    ),
    (
        "last frame alone",
        {"model": "MiniMax-Hailuo-02", "last_frame_image": URL},
        "first_frame_image",
    ),
    (
        "FL2V on 2.3",
        {"model": "MiniMax-Hailuo-2.3", "first_frame_image": URL, "last_frame_image": URL},
        "model",
    ),
    (
        "512P in FL2V",
        {
            "model": "MiniMax-Hailuo-02",
            "first_frame_image": URL,
            "last_frame_image": URL,
            "resolution": "512P",
        },
        "resolution",
    ),
    (
        "frame as object",
        {"model": "I2V-01", "first_frame_image": {"url": URL}},
        "first_frame_image",
    ),
    ("frame not a URL", {"model": "I2V-01", "first_frame_image": "frame.jpg"}, "first_frame_image"),
    ("frame ftp", {"model": "I2V-01", "first_frame_image": "ftp://x/y.jpg"}, "first_frame_image"),
    ("frame empty", {"model": "I2V-01", "first_frame_image": ""}, "first_frame_image"),
    (
        "frame URL no host",
        {"model": "I2V-01", "first_frame_image": "https://"},
        "first_frame_image",
    ),
    (
        "GIF frame",
        {"model": "I2V-01", "first_frame_image": data_url(GIF_400x400.read_bytes(), "image/gif")},
        "first_frame_image",
    ),
    (
        "short side 300",
        {"model": "I2V-01", "first_frame_image": data_url(png(600, 300))},
        "first_frame_image",
    ),
    (
        "aspect 5:2",
        {"model": "I2V-01", "first_frame_image": data_url(png(1000, 400))},
        "first_frame_image",
    ),
    (
        "aspect 2:5",
        {"model": "I2V-01", "first_frame_image": data_url(png(400, 1000))},
        "first_frame_image",
    ),
    (
        "type mismatch",
        {"model": "I2V-01", "first_frame_image": data_url(png(640, 480), "image/jpeg")},
        "first_frame_image",
    ),
    (
        "bad base64",
        {"model": "I2V-01", "first_frame_image": "data:image/png;base64,!!!not-base64"},
        "first_frame_image",
    ),
    (
        "not an image",
        {"model": "I2V-01", "first_frame_image": data_url(b"%PDF-1.4 hello", "image/png")},
        "first_frame_image",
    ),
    (
        "bad last frame",
        {
            "model": "MiniMax-Hailuo-02",
            "first_frame_image": GOOD_PNG,
            "last_frame_image": data_url(png(200, 200)),
        },
        "last_frame_image",
    ),
    (
        "subject with a frame",
        {"model": "S2V-01", "subject_reference": SUBJECT, "first_frame_image": URL},
        "subject_reference",
    ),
    (
        "subject not a list",
        {"model": "S2V-01", "subject_reference": SUBJECT[0]},
        "subject_reference",
    ),
    ("two subjects", {"model": "S2V-01", "subject_reference": SUBJECT * 2}, "subject_reference"),
    ("no subjects", {"model": "S2V-01", "subject_reference": []}, "subject_reference"),
    ("subject not object", {"model": "S2V-01", "subject_reference": ["x"]}, "subject_reference[0]"),
    (
        "subject type",
        {"model": "S2V-01", "subject_reference": [{"type": "object", "image": [URL]}]},
        "subject_reference[0].type",
    ),
    (
        "two subject images",
        {"model": "S2V-01", "subject_reference": [{"type": "character", "image": [URL, URL]}]},
        "subject_reference[0].image",
    ),
    (
        "subject image string",
        {"model": "S2V-01", "subject_reference": [{"type": "character", "image": URL}]},
        "subject_reference[0].image",
    ),
    (
        "subject image number",
        {"model": "S2V-01", "subject_reference": [{"type": "character", "image": [7]}]},
        "subject_reference[0].image[0]",
    ),
    (
        "bad subject data URL",
        {
            "model": "S2V-01",
            "subject_reference": [{"type": "character", "image": [data_url(png(100, 100))]}],
        },
        "subject_reference[0].image[0]",
    ),
    ("S2V on a T2V model", {"model": "T2V-01", "subject_reference": SUBJECT}, "model"),
    (
        "callback not a URL",
        {"model": "T2V-01", "prompt": "x", "callback_url": "my-server/hook"},
        "callback_url",
    ),
    (
        "callback as number",
        {"model": "T2V-01", "prompt": "x", "callback_url": 8080},
        "callback_url",
    ),
]


async def _assert_refused(api: Caller, emu: Emulator, path: str, body: Any, field: str) -> str:
    answer = await api.post(path, body)
    status = answer["base_resp"]
    assert status["status_code"] == 2013, status
    assert status["status_msg"].startswith(f"invalid params, {field}="), status["status_msg"]
    assert answer["task_id"] == ""
    assert emu.tasks == {}
    assert emu.requests[-1].status_code == 2013
    message: str = status["status_msg"]
    return message


@pytest.mark.parametrize(
    ("body", "field"), [(b, f) for _, b, f in VIDEO_CASES], ids=[c[0] for c in VIDEO_CASES]
)
async def test_video_rule_violations(
    api: Caller, minimax_emulator: Emulator, body: dict[str, Any], field: str
) -> None:
    await _assert_refused(api, minimax_emulator, "/v1/video_generation", body, field)


async def test_messages_name_the_value_and_the_rule(
    api: Caller, minimax_emulator: Emulator
) -> None:
    body = {"model": "T2V-01", "prompt": "x", "duration": "6"}
    message = await _assert_refused(api, minimax_emulator, "/v1/video_generation", body, "duration")
    assert message == "invalid params, duration='6': must be an integer"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "a JSON object is required"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"a string"', "must be a JSON object"),
        (b"42", "must be a JSON object"),
        (b"null", "must be a JSON object"),
        (b'{"model": "T2V-01", "prompt": "\xff\xfe"}', "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/video_generation", "/v1/video_template_generation"])
async def test_malformed_bodies(
    api: Caller, minimax_emulator: Emulator, path: str, raw: bytes, why: str
) -> None:
    answer = await api.post(path, data=raw)
    assert answer["base_resp"]["status_code"] == 2013
    assert answer["base_resp"]["status_msg"].startswith("invalid params, body=")
    assert why in answer["base_resp"]["status_msg"]
    assert minimax_emulator.tasks == {}


async def test_a_huge_body_is_refused_not_crashed(api: Caller, minimax_emulator: Emulator) -> None:
    minimax_emulator.config.max_body_bytes = 64 * 1024
    body = json.dumps({"model": "T2V-01", "prompt": "x" * 200_000}).encode()
    answer = await api.post("/v1/video_generation", data=body)
    assert answer["base_resp"]["status_code"] == 2013
    assert "larger than 65536 bytes" in answer["base_resp"]["status_msg"]
    assert minimax_emulator.tasks == {}
    # The emulator still works afterwards.
    assert (await api.create(model="T2V-01", prompt="ok"))["base_resp"]["status_code"] == 0


@pytest.mark.parametrize(
    ("body", "size"),
    [
        (
            {
                "model": "I2V-01",
                "first_frame_image": data_url(JPEG_640x360.read_bytes(), "image/jpeg"),
            },
            (1280, 720),
        ),
        (
            {
                "model": "MiniMax-Hailuo-02",
                "first_frame_image": data_url(JPEG_640x360.read_bytes(), "image/jpeg"),
                "resolution": "512P",
            },
            (910, 512),
        ),
        (
            {
                "model": "MiniMax-Hailuo-2.3-Fast",
                "first_frame_image": data_url(WEBP_480x640.read_bytes(), "image/webp"),
                "duration": 10,
            },
            (768, 1024),
        ),
        ({"model": "I2V-01-live", "first_frame_image": URL}, (1280, 720)),
        (
            {"model": "MiniMax-Hailuo-02", "first_frame_image": GOOD_PNG, "last_frame_image": URL},
            (1024, 768),
        ),
        ({"model": "S2V-01", "subject_reference": SUBJECT, "prompt": "wink"}, (1280, 720)),
        (
            {
                "model": "S2V-01",
                "subject_reference": [{"type": "character", "image": [GOOD_PNG]}],
                "resolution": "1080P",
            },
            (1920, 1080),
        ),
        (
            {
                "model": "T2V-01-Director",
                "prompt": "[Pan left] a street",
                "fast_pretreatment": True,
            },
            (1280, 720),
        ),
    ],
)
async def test_valid_image_modes_report_the_frame_aspect(
    api: Caller, minimax_emulator: Emulator, body: dict[str, Any], size: tuple[int, int]
) -> None:
    created = await api.create(**body)
    assert created["base_resp"]["status_code"] == 0, created
    await minimax_emulator.wait_for_status(created["task_id"], TaskStatus.SUCCESS)
    done = await api.query(created["task_id"])
    assert (done["video_width"], done["video_height"]) == size


AGENT_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("no template", {"text_inputs": [{"value": "x"}]}, "template_id"),
    ("template as number", {"template_id": 394514820878671878}, "template_id"),
    ("unknown template", {"template_id": "123"}, "template_id"),
    ("China-only template", {"template_id": "394246956137422856"}, "template_id"),
    ("missing text", {"template_id": "394514820878671878"}, "text_inputs"),
    ("empty text list", {"template_id": "394514820878671878", "text_inputs": []}, "text_inputs"),
    ("missing media", {"template_id": "392747428568649728"}, "media_inputs"),
    (
        "missing one of two",
        {"template_id": "393769180141805569", "media_inputs": [{"value": URL}]},
        "text_inputs",
    ),
    ("text not a list", {"template_id": "394514820878671878", "text_inputs": "x"}, "text_inputs"),
    (
        "text value number",
        {"template_id": "394514820878671878", "text_inputs": [{"value": 5}]},
        "text_inputs[0].value",
    ),
    (
        "text item string",
        {"template_id": "394514820878671878", "text_inputs": ["x"]},
        "text_inputs[0].value",
    ),
    (
        "media not a URL",
        {"template_id": "392747428568649728", "media_inputs": [{"value": "pet.jpg"}]},
        "media_inputs[0].value",
    ),
    (
        "media too small",
        {"template_id": "392747428568649728", "media_inputs": [{"value": data_url(png(64, 64))}]},
        "media_inputs[0].value",
    ),
    (
        "callback as list",
        {"template_id": "394514820878671878", "text_inputs": [{"value": "x"}], "callback_url": []},
        "callback_url",
    ),
]


@pytest.mark.parametrize(
    ("body", "field"), [(b, f) for _, b, f in AGENT_CASES], ids=[c[0] for c in AGENT_CASES]
)
async def test_agent_rule_violations(
    api: Caller, minimax_emulator: Emulator, body: dict[str, Any], field: str
) -> None:
    await _assert_refused(api, minimax_emulator, "/v1/video_template_generation", body, field)


async def test_region_picks_the_template_catalogue(api: Caller, minimax_emulator: Emulator) -> None:
    labubu = {"template_id": "394246956137422856", "media_inputs": [{"value": GOOD_PNG}]}
    assert (await api.create_agent(**labubu))["base_resp"]["status_code"] == 2013
    minimax_emulator.config.region = "cn"
    assert (await api.create_agent(**labubu))["base_resp"]["status_code"] == 0
    global_diving = {"template_id": "392747428568649728", "media_inputs": [{"value": URL}]}
    assert (await api.create_agent(**global_diving))["base_resp"]["status_code"] == 2013
