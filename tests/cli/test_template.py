"""``template list`` and ``template run`` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from minimax_async._catalog import TEMPLATES
from tests.cli._helpers import assert_playable_mp4, json_lines, run_cli
from tests.images import JPEG_640x360

DIVING = "392747428568649728"
ANIME = "394514820878671878"


def test_list_shows_ids_names_and_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_cli(capsys, "template", "list")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].split()[:2] == ["TEMPLATE_ID", "NAME"]
    diving = next(line for line in lines if line.startswith(DIVING))
    assert "Diving" in diving
    assert diving.rstrip().endswith("--media")
    assert len(lines) == 1 + sum(1 for t in TEMPLATES if t.region == "global")


def test_list_json_for_china(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_cli(capsys, "template", "list", "--region", "cn", "--json")
    assert code == 0
    rows = json_lines(stdout)
    assert {row["region"] for row in rows} == {"cn"}
    assert {"template_id": "392753057216684038", "required_inputs": ["media_inputs"]}.items() <= {
        k: v for k, v in rows[0].items() if k in ("template_id", "required_inputs")
    }.items()


def test_run_diving_with_an_image_on_the_embedded_emulator(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "dive.mp4"
    code, stdout, stderr = run_cli(
        capsys, "template", "run", DIVING, "--media", str(JPEG_640x360), "--out", str(out), "--json"
    )
    assert code == 0, stderr
    [record] = json_lines(stdout)
    assert record["status"] == "Success"
    assert record["video_url"].startswith("http://127.0.0.1:")
    assert "file_id" not in record
    assert record["width"] > 0
    assert record["height"] > 0
    assert record["seconds"] > 0
    assert_playable_mp4(out)


def test_run_text_template(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "anime.mp4"
    code, _, stderr = run_cli(
        capsys, "template", "run", ANIME, "--text", "a rainy Tokyo street", "--out", str(out)
    )
    assert code == 0, stderr
    assert_playable_mp4(out)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["12345"], "TEMPLATE_ID='12345': unknown template in the global catalogue"),
        (["392753057216684038"], "it is a cn template: add --region cn"),
        ([DIVING], f"template {DIVING} (Diving) needs --media IMAGE"),
        ([ANIME], f"template {ANIME} (Anime Life Sim) needs --text TEXT"),
        ([DIVING, "--media", "nope.png"], "--media='nope.png': no such file"),
    ],
)
def test_bad_template_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, stdout, stderr = run_cli(capsys, "template", "run", *argv)
    assert code == 2
    assert stdout == ""
    assert message in stderr
    assert "embedded emulator" not in stderr  # refused before anything started


def test_template_without_action_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_cli(capsys, "template")
    assert code == 2
