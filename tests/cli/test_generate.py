"""``generate``, ``status`` and ``download`` end to end against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli._helpers import assert_playable_mp4, json_lines, run_cli
from tests.cli.conftest import ThreadedEmulator
from tests.images import JPEG_640x360, png

EmulatorFactory = Callable[..., ThreadedEmulator]


def test_no_key_uses_embedded_emulator_and_saves_a_real_mp4(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "dusk.mp4"
    code, stdout, stderr = run_cli(
        capsys, "generate", "--prompt", "A lighthouse at dusk", "--out", str(out), "--json"
    )
    assert code == 0, stderr
    assert "using the embedded emulator at http://127.0.0.1:" in stderr
    [record] = json_lines(stdout)
    assert record["status"] == "Success"
    assert record["path"] == str(out)
    assert (record["width"], record["height"], record["seconds"]) == (1366, 768, 6.0)
    assert record["task_id"].isdigit()
    assert record["file_id"].isdigit()
    assert_playable_mp4(out, size=(1366, 768))


def test_poll_mode_and_camera_moves_against_a_given_base_url(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    out = tmp_path / "v.mp4"
    code, stdout, stderr = run_cli(
        capsys,
        "generate",
        *emulator.args(),
        "--poll",
        "--prompt",
        "Waves",
        "--camera",
        "pan left",
        "--camera",
        "Pedestal_up",
        "--duration",
        "10",
        "--no-prompt-optimizer",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    assert "embedded emulator" not in stderr
    assert stdout.startswith(f"saved {out} (1366x768, 10 s; task ")
    [create] = emulator.creates()
    assert create.json["prompt"] == "Waves [Pan left,Pedestal up]"
    assert create.json["prompt_optimizer"] is False
    assert create.json["duration"] == 10
    assert "callback_url" not in create.json
    assert_playable_mp4(out, size=(1366, 768))


@pytest.mark.parametrize("mode", ["i2v", "fl2v", "s2v"])
def test_image_modes_send_checked_images(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    emulator_factory: EmulatorFactory,
    mode: str,
) -> None:
    emulator = emulator_factory()
    flags = {
        "i2v": ["--first-frame", str(JPEG_640x360), "--resolution", "768p"],
        "fl2v": ["--first-frame", str(JPEG_640x360), "--last-frame", str(JPEG_640x360)],
        "s2v": ["--subject", str(JPEG_640x360)],
    }[mode]
    out = tmp_path / f"{mode}.mp4"
    code, _, stderr = run_cli(
        capsys, "generate", *emulator.args(), "--prompt", "moves", *flags, "--out", str(out)
    )
    assert code == 0, stderr
    [create] = emulator.creates()
    body = create.json
    expected_model = {"i2v": "MiniMax-Hailuo-2.3", "fl2v": "MiniMax-Hailuo-02", "s2v": "S2V-01"}
    assert body["model"] == expected_model[mode]
    subject = body.get("subject_reference")
    image = subject[0]["image"][0] if subject else body["first_frame_image"]
    assert image.startswith("data:image/jpeg;base64,")
    assert_playable_mp4(out)


def test_failed_task_exits_1_with_a_fail_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, stdout, stderr = run_cli(
        capsys,
        "generate",
        "--prompt",
        "Waves {emulator:fail:1027}",
        "--out",
        str(tmp_path / "x.mp4"),
        "--json",
    )
    assert code == 1, stderr
    [record] = json_lines(stdout)
    assert record["status"] == "Fail"
    assert record["path"] is None
    assert "1027" in stderr
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--first-frame", "missing.jpg"], "--first-frame='missing.jpg': no such file"),
        (["--first-frame", "small.png"], "--first-frame='small.png': image is 200x200"),
        (["--model", "T2V-01", "--duration", "10"], "--duration=10: T2V-01 at 720P"),
        (["--camera", "spin around"], "--camera='spin around': unknown camera move"),
        (["--resolution", "4K"], "--resolution='4K'"),
        (["--last-frame", "small.png"], "--first-frame: required when --last-frame is given"),
    ],
)
def test_bad_input_exits_2_with_one_line_before_any_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    emulator_factory: EmulatorFactory,
    monkeypatch: pytest.MonkeyPatch,
    flags: list[str],
    message: str,
) -> None:
    emulator = emulator_factory()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.png").write_bytes(png(200, 200))
    code, stdout, stderr = run_cli(
        capsys, "generate", *emulator.args(), "--prompt", "p", *flags, "--json"
    )
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1
    assert stderr.startswith("minimax-async: error: ")
    assert message in stderr
    assert emulator.creates() == []


def test_wrong_key_exits_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory(api_keys=frozenset({"the-right-key"}))
    code, _, stderr = run_cli(
        capsys,
        "generate",
        "--base-url",
        emulator.base_url,
        "--api-key",
        "a-wrong-key",
        "--prompt",
        "p",
        "--out",
        str(tmp_path / "x.mp4"),
    )
    assert code == 3, stderr
    assert "1004" in stderr
    assert "a-wrong-key" not in stderr


def test_base_url_without_key_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run_cli(
        capsys, "generate", "--base-url", "http://127.0.0.1:9", "--prompt", "p"
    )
    assert code == 2
    assert "MINIMAX_API_KEY" in stderr


def test_unknown_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run_cli(capsys, "generate", "--colour", "red")
    assert code == 2
    assert "--colour" in stderr


def test_status_and_download_of_an_existing_task(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    code, stdout, stderr = run_cli(
        capsys,
        "generate",
        *emulator.args(),
        "--prompt",
        "p",
        "--out",
        str(tmp_path / "a.mp4"),
        "--json",
    )
    assert code == 0, stderr
    [made] = json_lines(stdout)

    code, stdout, stderr = run_cli(
        capsys, "status", made["task_id"], *emulator.connection(), "--json"
    )
    assert code == 0, stderr
    [status] = json_lines(stdout)
    assert status["status"] == "Success"
    assert status["file_id"] == made["file_id"]

    code, stdout, stderr = run_cli(capsys, "status", made["task_id"], *emulator.connection())
    assert code == 0, stderr
    assert stdout.startswith(f"task {made['task_id']}: Success file_id={made['file_id']}")

    again = tmp_path / "again.mp4"
    code, stdout, stderr = run_cli(
        capsys, "download", made["file_id"], "--out", str(again), *emulator.connection(), "--json"
    )
    assert code == 0, stderr
    [record] = json_lines(stdout)
    assert record["path"] == str(again)
    assert again.read_bytes() == (tmp_path / "a.mp4").read_bytes()


def test_status_of_unknown_task_and_bad_ids_exit_2(
    capsys: pytest.CaptureFixture[str], emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    code, stdout, stderr = run_cli(capsys, "status", "123456789012345", *emulator.connection())
    assert code == 2
    assert stdout == ""
    assert "TASK_ID=123456789012345" in stderr
    code, _, stderr = run_cli(capsys, "download", "abc", *emulator.connection())
    assert code == 2
    assert "FILE_ID='abc'" in stderr
