"""The command line's V2 side: generate with references, list, cancel, upload."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from minimax_async import AsyncMiniMax
from minimax_async.emulator import EmulatorConfig
from tests.cli._helpers import assert_playable_mp4, json_lines, run_cli
from tests.cli.conftest import API_KEY, ThreadedEmulator
from tests.v2.media import CLIP_3S, VOICE_MP3

ASSETS = Path(__file__).parent.parent.parent / "examples" / "assets"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MINIMAX_API_KEY", "MINIMAX_BASE_URL", "MINIMAX_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def emu() -> Iterator[ThreadedEmulator]:
    emulator = ThreadedEmulator(EmulatorConfig(time_scale=0.02, seed=7)).start()
    yield emulator
    emulator.stop()


def connection(emu: ThreadedEmulator) -> list[str]:
    return ["--base-url", emu.base_url, "--api-key", API_KEY]


def test_generate_h3_with_references_saves_the_video(
    capsys: pytest.CaptureFixture[str], emu: ThreadedEmulator, tmp_path: Path
) -> None:
    out = tmp_path / "h3.mp4"
    code, stdout, stderr = run_cli(
        capsys,
        "generate",
        "--model", "MiniMax-H3",
        "--prompt", "Image 1 trots like Video 1 and barks like Audio 1",
        "--reference-image", str(ASSETS / "pet.jpg"),
        "--reference-video", str(CLIP_3S),
        "--reference-audio", str(VOICE_MP3),
        "--ratio", "9:16",
        "--out", str(out),
        "--json",
        *connection(emu),
        "--poll-interval", "0.05",
    )  # fmt: skip
    assert code == 0, stderr
    (record,) = json_lines(stdout)
    assert record["status"] == "Success"
    assert_playable_mp4(out, size=(768, 1344))
    assert emu.emulator is not None
    (task,) = emu.emulator.v2_tasks.values()
    roles = [item.get("role") for item in task.request["content"]]
    assert roles == [None, "reference_image", "reference_video", "reference_audio"]
    assert task.request["ratio"] == "9:16"


def test_generate_refuses_flags_of_the_other_api_before_sending(
    capsys: pytest.CaptureFixture[str], emu: ThreadedEmulator, tmp_path: Path
) -> None:
    v2_on_v1 = run_cli(
        capsys, "generate", "--prompt", "x", "--ratio", "16:9", "--out", str(tmp_path / "a.mp4"),
        *connection(emu),
    )  # fmt: skip
    v1_on_v2 = run_cli(
        capsys, "generate", "--model", "MiniMax-H3", "--prompt", "x", "--camera", "Pan left",
        "--out", str(tmp_path / "b.mp4"), *connection(emu),
    )  # fmt: skip
    bad_rule = run_cli(
        capsys, "generate", "--model", "MiniMax-H3", "--prompt", "x",
        "--reference-audio", str(VOICE_MP3), "--out", str(tmp_path / "c.mp4"), *connection(emu),
    )  # fmt: skip
    assert v2_on_v1[0] != 0
    assert "--ratio" in v2_on_v1[2]
    assert v1_on_v2[0] != 0
    assert "--camera" in v1_on_v2[2]
    assert bad_rule[0] != 0
    assert "--reference-audio" in bad_rule[2]
    assert "only reference" in bad_rule[2]
    assert emu.emulator is not None
    assert not emu.emulator.v2_tasks
    assert emu.creates() == []


def test_upload_list_and_cancel(
    capsys: pytest.CaptureFixture[str], emu: ThreadedEmulator, tmp_path: Path
) -> None:
    code, stdout, stderr = run_cli(capsys, "upload", str(ASSETS / "pet.jpg"), *connection(emu))
    assert code == 0, stderr
    reference = stdout.strip()
    assert reference.startswith("mm_file://")
    emu.config.v2_queued_seconds = 3600.0  # the next task stays queued

    # Create one to cancel, without waiting for it (the SDK, as a user script would).
    async def create() -> str:
        async with AsyncMiniMax(api_key=API_KEY, base_url=emu.base_url, rpm=None) as client:
            task = await client.video.create(
                model="MiniMax-H3", prompt="Image 1", reference_images=[reference]
            )
            return task.task_id

    task_id = asyncio.run(create())
    code, stdout, stderr = run_cli(capsys, "list", "--json", *connection(emu))
    assert code == 0, stderr
    assert [row["id"] for row in json_lines(stdout)] == [task_id]
    assert json_lines(stdout)[0]["status"] == "queued"
    code, stdout, stderr = run_cli(capsys, "cancel", task_id, *connection(emu))
    assert code == 0, stderr
    assert stdout.strip() == f"task {task_id}: cancelled"
    code, stdout, stderr = run_cli(capsys, "cancel", task_id, *connection(emu))
    assert code != 0
    assert "only a queued task can be cancelled" in stderr
    code, stdout, _ = run_cli(capsys, "list", "--status", "cancelled", *connection(emu))
    assert stdout.split()[:2] == [task_id, "cancelled"]


def test_status_and_wait_find_a_v2_task(
    capsys: pytest.CaptureFixture[str], emu: ThreadedEmulator, tmp_path: Path
) -> None:
    async def create() -> str:
        async with AsyncMiniMax(api_key=API_KEY, base_url=emu.base_url, rpm=None) as client:
            return (await client.video.create(model="MiniMax-H3", prompt="a gull")).task_id

    task_id = asyncio.run(create())
    out = tmp_path / "gull.mp4"
    code, _, stderr = run_cli(
        capsys, "wait", task_id, "--v2", "--out", str(out), *connection(emu),
        "--poll-interval", "0.05",
    )  # fmt: skip
    assert code == 0, stderr
    assert_playable_mp4(out)
    # Without --v2, status tries V1, then the agent, then V2.
    code, stdout, stderr = run_cli(capsys, "status", task_id, "--json", *connection(emu))
    assert code == 0, stderr
    (shown,) = json_lines(stdout)
    assert shown["status"] == "Success"
    assert shown["video_url"]
