"""Every V1 mode end to end on the emulator, and every local rule refusing before a request."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import anyio
import pytest

from minimax_async import (
    AsyncMiniMax,
    CameraCommandWarning,
    CameraMove,
    InvalidInputError,
    camera,
)
from minimax_async.emulator import Emulator
from minimax_async.models import SubjectReference
from tests.images import GIF_400x400, JPEG_640x360, WEBP_480x640, data_url, png

DEADLINE = 30.0
CREATE = "/v1/video_generation"


def created_bodies(emu: Emulator) -> list[Any]:
    return [r.json for r in emu.requests_to(CREATE)]


async def test_text_to_video_round_trip(client: AsyncMiniMax, emu: Emulator) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(
            model="MiniMax-Hailuo-2.3",
            prompt=f"A lighthouse at dusk {camera(CameraMove.PAN_LEFT, 'Pedestal up')}",
            duration=10,
            resolution="768p",
            prompt_optimizer=False,
            fast_pretreatment=True,
            aigc_watermark=True,
        )
        video = await task.result(timeout=DEADLINE)
    assert created_bodies(emu) == [
        {
            "model": "MiniMax-Hailuo-2.3",
            "prompt": "A lighthouse at dusk [Pan left,Pedestal up]",
            "prompt_optimizer": False,
            "fast_pretreatment": True,
            "duration": 10,
            "resolution": "768P",  # normalised from "768p"
            "aigc_watermark": True,
        }
    ]
    assert video.task_id == task.task_id
    assert video.file_id == emu.tasks[task.task_id].file_id
    assert (video.width, video.height) == (1366, 768)
    assert task.status.is_terminal


async def test_image_to_video_from_path_sends_a_checked_data_url(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(
            model="MiniMax-Hailuo-02", first_frame_image=JPEG_640x360, resolution="512P"
        )
        video = await task.result(timeout=DEADLINE)
    (body,) = created_bodies(emu)
    assert body["first_frame_image"].startswith("data:image/jpeg;base64,")
    assert "prompt" not in body
    # The output follows the frame's 16:9 aspect at 512 px high.
    assert video.height == 512


async def test_first_last_frame_from_bytes_and_file(client: AsyncMiniMax, emu: Emulator) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(
            model="MiniMax-Hailuo-02",
            prompt="Walk forward",
            first_frame_image=png(640, 480),
            last_frame_image=io.BytesIO(WEBP_480x640.read_bytes()),
            duration=6,
            resolution="1080P",
        )
        await task.result(timeout=DEADLINE)
    (body,) = created_bodies(emu)
    assert body["first_frame_image"].startswith("data:image/png;base64,")
    assert body["last_frame_image"].startswith("data:image/webp;base64,")


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("https://example.test/face.jpg", id="url"),
        pytest.param(SubjectReference(image=["https://example.test/face.jpg"]), id="model"),
        pytest.param(
            [{"type": "character", "image": ["https://example.test/face.jpg"]}], id="wire-list"
        ),
    ],
)
async def test_subject_reference_forms(client: AsyncMiniMax, emu: Emulator, subject: Any) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(
            model="S2V-01", prompt="runs and winks", subject_reference=subject
        )
        await task.result(timeout=DEADLINE)
    (body,) = created_bodies(emu)
    assert body["subject_reference"] == [
        {"type": "character", "image": ["https://example.test/face.jpg"]}
    ]


async def test_subject_reference_local_image_becomes_data_url(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    with anyio.fail_after(DEADLINE):
        task = await client.video.create(model="S2V-01", subject_reference=png(400, 500))
        await task.result(timeout=DEADLINE)
    (body,) = created_bodies(emu)
    assert body["subject_reference"][0]["image"][0].startswith("data:image/png;base64,")


async def test_url_and_data_url_frames_pass_through(client: AsyncMiniMax, emu: Emulator) -> None:
    frame = data_url(png(500, 500))
    with anyio.fail_after(DEADLINE):
        await client.video.create(
            model="I2V-01", first_frame_image=frame, prompt="a cat blinks", resolution="720P"
        )
        await client.video.create(
            model="I2V-01-live", first_frame_image="https://example.test/cat.png"
        )
    first, second = created_bodies(emu)
    assert first["first_frame_image"] == frame
    assert second["first_frame_image"] == "https://example.test/cat.png"


# --- refused locally: no request is spent ------------------------------------------


def _bad(tmp: Path) -> list[tuple[dict[str, Any], str]]:
    huge = tmp / "huge.png"
    huge.write_bytes(png(400, 400) + b"\0" * (20 * 1024 * 1024))
    return [
        ({"model": "Hailuo-9000", "prompt": "x"}, "model"),
        ({"model": "MiniMax-Hailuo-2.3-Fast", "prompt": "x"}, "model"),  # no text-to-video
        (
            {
                "model": "MiniMax-Hailuo-2.3",
                "prompt": "x",
                "first_frame_image": JPEG_640x360,
                "last_frame_image": JPEG_640x360,
            },
            "model",
        ),  # no first+last frame
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "   "}, "prompt"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x" * 2001}, "prompt"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": 5}, "prompt"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x", "resolution": "512P"}, "resolution"),
        (
            {"model": "MiniMax-Hailuo-2.3", "prompt": "x", "resolution": "1080P", "duration": 10},
            "duration",
        ),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x", "duration": 7}, "duration"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x", "duration": True}, "duration"),
        ({"model": "T2V-01", "prompt": "x", "resolution": "768P"}, "resolution"),
        ({"model": "I2V-01", "first_frame_image": GIF_400x400}, "first_frame_image"),
        ({"model": "I2V-01", "first_frame_image": png(300, 600)}, "first_frame_image"),
        ({"model": "I2V-01", "first_frame_image": png(1100, 400)}, "first_frame_image"),
        ({"model": "I2V-01", "first_frame_image": huge}, "first_frame_image"),
        ({"model": "I2V-01", "first_frame_image": tmp / "missing.png"}, "first_frame_image"),
        (
            {
                "model": "I2V-01",
                "first_frame_image": "data:image/jpeg;base64,"
                + data_url(png(400, 400)).split(",")[1],
            },
            "first_frame_image",
        ),  # mislabelled
        ({"model": "MiniMax-Hailuo-02", "last_frame_image": JPEG_640x360}, "first_frame_image"),
        (
            {
                "model": "S2V-01",
                "subject_reference": png(400, 400),
                "first_frame_image": JPEG_640x360,
            },
            "subject_reference",
        ),
        (
            {"model": "S2V-01", "subject_reference": [{"type": "object", "image": ["u"]}]},
            "subject_reference[0].type",
        ),
        (
            {"model": "S2V-01", "subject_reference": [{"type": "character", "image": ["a", "b"]}]},
            "subject_reference[0].image",
        ),
        ({"model": "S2V-01", "subject_reference": png(200, 400)}, "subject_reference[0].image[0]"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x", "prompt_optimizer": 1}, "prompt_optimizer"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x", "aigc_watermark": "yes"}, "aigc_watermark"),
        ({"model": "MiniMax-Hailuo-2.3", "prompt": "x", "callback_url": "ftp://x"}, "callback_url"),
    ]


async def test_every_rule_refuses_before_any_request(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path
) -> None:
    for options, field in _bad(tmp_path):
        with pytest.raises(InvalidInputError) as caught:
            await client.video.create(**options)
        error = caught.value
        assert error.field == field, (options, error)
        assert error.rule
        assert field in str(error)
    assert emu.requests_to(CREATE) == []
    assert client.in_flight == 0


async def test_camera_commands_only_warn(client: AsyncMiniMax, emu: Emulator) -> None:
    with pytest.warns(CameraCommandWarning) as warned:
        await client.video.create(
            model="MiniMax-Hailuo-2.3", prompt="[Pan left,Zoom in,Shake,Tilt up] [Moonwalk]"
        )
    texts = " ".join(str(w.message) for w in warned)
    assert "Moonwalk" in texts
    assert "4 moves" in texts
    assert len(emu.requests_to(CREATE)) == 1


async def test_refused_by_server_names_the_code(client: AsyncMiniMax, emu: Emulator) -> None:
    from minimax_async import InvalidRequestError

    # A remote URL without a host passes the local checks (URLs are not fetched) but
    # the emulator, like MiniMax, answers 2013.
    with pytest.raises(InvalidRequestError) as caught:
        await client.video.create(model="I2V-01", first_frame_image="https://")
    assert caught.value.code == 2013
    assert caught.value.trace_id
    assert client.in_flight == 0


async def test_every_mode_sends_only_the_fields_given(client: AsyncMiniMax, emu: Emulator) -> None:
    # Unset options are left out, never sent as null: MiniMax's defaults apply.
    frame = "https://example.test/frame.png"
    with anyio.fail_after(DEADLINE):
        await client.video.create(model="I2V-01", first_frame_image=frame)
        await client.video.create(
            model="MiniMax-Hailuo-02", first_frame_image=frame, last_frame_image=frame
        )
        await client.video.create(model="S2V-01", prompt="waves", subject_reference=frame)
    assert created_bodies(emu) == [
        {"model": "I2V-01", "first_frame_image": frame},
        {"model": "MiniMax-Hailuo-02", "first_frame_image": frame, "last_frame_image": frame},
        {
            "model": "S2V-01",
            "prompt": "waves",
            "subject_reference": [{"type": "character", "image": [frame]}],
        },
    ]
