"""Small helpers shared by the CLI tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from minimax_async.cli import main
from minimax_async.cli._mp4 import read_mp4_info

__all__ = ("assert_playable_mp4", "json_lines", "run_cli")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``minimax-async ARGV`` in-process; (exit code, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors exit instead of returning
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_lines(stdout: str) -> list[dict[str, Any]]:
    """Every stdout line parsed as one JSON object (fails on any other line)."""
    return [json.loads(line) for line in stdout.splitlines()]


def assert_playable_mp4(path: Path, *, size: tuple[int, int] | None = None) -> None:
    """The file is an ISO-BMFF MP4 with ftyp, moov and mdat and a real duration."""
    info = read_mp4_info(path)
    assert info.boxes[0] == "ftyp", info.boxes
    assert {"moov", "mdat"} <= set(info.boxes), info.boxes
    assert info.seconds is not None
    assert info.seconds > 0
    if size is not None:
        assert (info.width, info.height) == size
