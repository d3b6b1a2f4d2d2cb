"""The command as a real process: the README's first command, and Ctrl-C mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from tests.cli._helpers import assert_playable_mp4, json_lines, run_cli
from tests.cli.conftest import ThreadedEmulator

EmulatorFactory = Callable[..., ThreadedEmulator]


def _env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MINIMAX_API_KEY", "MINIMAX_BASE_URL", "MINIMAX_REGION")
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_readme_first_command_makes_a_playable_mp4(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "minimax_async",
            "generate",
            "--prompt",
            "A lighthouse at dusk, waves below",
            "--camera",
            "Pedestal up",
            "--out",
            "lighthouse.mp4",
        ],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        "minimax-async: no MINIMAX_API_KEY or --base-url; using the embedded emulator at"
    )
    assert result.stdout.startswith("saved lighthouse.mp4 (1366x768, 6 s; task ")
    assert_playable_mp4(tmp_path / "lighthouse.mp4", size=(1366, 768))


def _read_until(stream: IO[str], needle: str) -> list[str]:
    """Lines from the child's stderr up to the first containing ``needle``."""
    seen: list[str] = []
    for line in stream:  # blocks on the pipe: wakes on each line the child writes
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"child ended before printing {needle!r}: {''.join(seen)}")


@pytest.mark.slow
def test_ctrl_c_mid_batch_then_resume_creates_each_task_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    # Tasks take ~2 s, so several are in flight when the interrupt lands.
    emulator = emulator_factory(
        time_scale=1.0, preparing_seconds=0.1, queueing_seconds=0.1, processing_seconds=2.0
    )
    names = [f"job{i}" for i in range(6)]
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"name": n, "prompt": n}) + "\n" for n in names))
    out_dir = tmp_path / "out"
    argv = [
        "batch",
        str(jobs),
        "--out-dir",
        str(out_dir),
        "--concurrency",
        "2",
        "--rpm",
        "600",
        "--poll",
        "--poll-interval",
        "0.05",
        *emulator.args(),
    ]
    child = subprocess.Popen(
        [sys.executable, "-m", "minimax_async", *argv],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        # "Processing" is printed only after the task id is in the journal.
        _read_until(child.stderr, ": Processing task ")
        child.send_signal(signal.SIGINT)
        _, rest = child.communicate(timeout=40)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, rest
    assert "interrupted" in rest

    records = [json.loads(line) for line in (out_dir / "journal.jsonl").read_text().splitlines()]
    created = {r["job"]: r["task_id"] for r in records if r["event"] == "created"}
    submitted = {r["job"] for r in records if r["event"] == "submitting"}
    # Consistent: every create that was sent has its task id recorded.
    assert submitted == set(created)
    assert 1 <= len(created) < len(names)
    assert len(emulator.creates()) == len(created)

    code, stdout, stderr = run_cli(capsys, *argv, "--json")
    assert code == 0, stderr
    results = {r["name"]: r for r in json_lines(stdout)}
    assert set(results) == set(names)
    assert all(r["status"] == "Success" for r in results.values())
    for name, task_id in created.items():
        assert results[name]["task_id"] == task_id  # re-attached, not re-created
    assert len(emulator.creates()) == len(names)
    for name in names:
        assert_playable_mp4(out_dir / f"{name}.mp4")
