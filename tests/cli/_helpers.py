"""Small helpers shared by the CLI tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pytest

from minimax_async.cli import main
from minimax_async.cli._mp4 import read_mp4_info

__all__ = (
    "assert_playable_mp4",
    "child_env",
    "interrupt_after",
    "json_lines",
    "kill_after",
    "read_until",
    "run_cli",
    "run_process",
    "spawn",
)


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


def child_env() -> dict[str, str]:
    """This environment without ambient MiniMax settings, unbuffered."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MINIMAX_API_KEY", "MINIMAX_BASE_URL", "MINIMAX_REGION")
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def read_until(stream: IO[str], needle: str) -> list[str]:
    """Lines from the child's stderr up to the first containing ``needle``."""
    seen: list[str] = []
    for line in stream:  # blocks on the pipe: wakes on each line the child writes
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"child ended before printing {needle!r}: {''.join(seen)}")


def interrupt_after(child: subprocess.Popen[str], *needles: str) -> str:
    """Per needle: read the child's stderr up to it, then SIGINT. The rest of stderr.

    The timeout only bounds a hang (item 1's "exit within 2 s" is measured, not asserted).
    """
    try:
        assert child.stderr is not None
        for needle in needles:
            read_until(child.stderr, needle)
            child.send_signal(signal.SIGINT)
        return child.communicate(timeout=15)[1]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def kill_after(child: subprocess.Popen[str], needle: str) -> None:
    """Read the child's stderr up to ``needle``, then SIGKILL it: no cleanup code runs,
    so only what it already wrote (journal, emulator state) outlives it."""
    try:
        assert child.stderr is not None
        read_until(child.stderr, needle)
    finally:
        child.kill()
        child.communicate(timeout=30)


def spawn(*argv: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """``minimax-async ARGV`` as a child process, stdout and stderr piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "minimax_async", *argv],
        cwd=cwd,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_process(
    *argv: str, cwd: Path | None = None, python: bool = False
) -> subprocess.CompletedProcess[str]:
    """``minimax-async ARGV`` (or ``python ARGV``) run to the end (50 s at most)."""
    command = [sys.executable, *argv] if python else [sys.executable, "-m", "minimax_async", *argv]
    return subprocess.run(
        command,
        cwd=cwd,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
