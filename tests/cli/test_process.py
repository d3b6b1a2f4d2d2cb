"""The command as a real process: the README's first command, Ctrl-C, a second batch."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli._helpers import (
    assert_playable_mp4,
    child_env,
    interrupt_after,
    json_lines,
    kill_after,
    read_until,
    run_cli,
    run_process,
    spawn,
)
from tests.cli.conftest import ThreadedEmulator

EmulatorFactory = Callable[..., ThreadedEmulator]


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
        env=child_env(),
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


def _jobs(tmp_path: Path, count: int) -> Path:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(
        "".join(json.dumps({"name": f"job{i}", "prompt": f"p{i}"}) + "\n" for i in range(count))
    )
    return jobs


def _journal(out_dir: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out_dir / "journal.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_ctrl_c_sends_nothing_more_and_resume_creates_each_task_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    # 12 jobs at 6 creates a minute: the first goes at once, the rest wait 10 s apart.
    emulator = emulator_factory(
        time_scale=1.0, preparing_seconds=0.1, queueing_seconds=0.1, processing_seconds=5.0
    )
    jobs = _jobs(tmp_path, 12)
    out_dir = tmp_path / "out"
    argv = ["batch", str(jobs), "--out-dir", str(out_dir), "--poll-interval", "0.05"]
    child = spawn(*argv, "--rpm", "6", "--concurrency", "4", *emulator.args())
    # "running task N" is printed only after the task id is in the journal.
    rest = interrupt_after(child, "job0: running task ")
    assert child.returncode == 130, rest
    assert "Ctrl-C: stopping, nothing more is sent" in rest
    # Nothing waiting for the rate limiter was sent, and nothing was journaled for it.
    assert len(emulator.creates()) == 1
    records = _journal(out_dir)
    assert {r["key"] for r in records} == {"job0"}
    task_id = next(r["task_id"] for r in records if r["state"] == "submitted")
    # The summary tells the truth: job0 renders on (and bills), the others never left.
    assert re.search(rf"^job0\s+running\s+{task_id}\s", rest, re.MULTILINE), rest
    assert re.search(r"^job1\s+not started\s*$", rest, re.MULTILINE), rest
    assert "unknown" not in rest

    emulator.emulator.config.processing_seconds = 0.2  # type: ignore[union-attr]
    code, stdout, stderr = run_cli(capsys, *argv, "--rpm", "600", "--json", *emulator.args())
    assert code == 0, stderr
    results = {r["name"]: r for r in json_lines(stdout)}
    assert len(results) == 12
    assert all(r["status"] == "Success" for r in results.values())
    assert results["job0"]["task_id"] == task_id  # re-attached, not re-created
    assert len(emulator.creates()) == 12
    for name in results:
        assert_playable_mp4(out_dir / f"{name}.mp4")


@pytest.mark.slow
def test_a_second_ctrl_c_quits_at_once_leaving_whole_journal_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    # Every answer takes a minute: the first create is still on the wire at Ctrl-C.
    emulator = emulator_factory(slow_rate=1.0, slow_seconds=60.0)
    jobs = _jobs(tmp_path, 2)
    out_dir = tmp_path / "out"
    argv = ["batch", str(jobs), "--out-dir", str(out_dir), "--concurrency", "1", "--rpm", "600"]
    child = spawn(*argv, *emulator.args())
    rest = interrupt_after(child, "job0: submitting", "1 create(s) on the wire finish first")
    assert child.returncode == 130, rest
    # Whole lines only: job0 may have reached MiniMax, job1 was never sent.
    assert [(r["key"], r["state"]) for r in _journal(out_dir)] == [("job0", "intent")]

    emulator.emulator.config.slow_rate = 0.0  # type: ignore[union-attr]
    before = len(emulator.creates())
    code, stdout, stderr = run_cli(
        capsys, *argv, "--json", "--poll-interval", "0.05", *emulator.args()
    )
    assert code == 1, stderr
    results = {r["name"]: r for r in json_lines(stdout)}
    assert results["job0"]["status"] == "Unknown"  # reported, never resent
    assert results["job1"]["status"] == "Success"
    assert len(emulator.creates()) == before + 1


def test_one_batch_per_out_dir_even_after_sigkill(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory(time_scale=1.0, processing_seconds=60.0)
    jobs = _jobs(tmp_path, 1)
    out_dir = tmp_path / "out"
    argv = ["batch", str(jobs), "--out-dir", str(out_dir), "--rpm", "600", *emulator.args()]
    first = spawn(*argv)
    try:
        assert first.stderr is not None
        read_until(first.stderr, "job0: running task ")
        second = subprocess.run(
            [sys.executable, "-m", "minimax_async", *argv],
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=50,
            check=False,
        )
        assert second.returncode == 2, second.stderr
        assert "another batch is running on this directory" in second.stderr
        assert "Traceback" not in second.stderr
        assert len(emulator.creates()) == 1
    finally:
        first.kill()  # SIGKILL: no cleanup code runs, the kernel drops the lock
        first.communicate(timeout=30)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import asyncio, sys; from minimax_async.durable import JSONLJournal;"
            " asyncio.run(JSONLJournal(sys.argv[1]).start())",
            str(out_dir / "journal.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr


def test_the_embedded_emulator_keeps_tasks_and_files_across_runs(tmp_path: Path) -> None:
    made = run_process("generate", "--prompt", "waves", "--out", "a.mp4", "--json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    [record] = json_lines(made.stdout)
    # Another process, another embedded emulator: the same per-user state.
    status = run_process("status", record["task_id"], "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["file_id"] == record["file_id"]
    fetched = run_process("download", record["file_id"], "--out", "b.mp4", cwd=tmp_path)
    assert fetched.returncode == 0, fetched.stderr
    assert (tmp_path / "b.mp4").read_bytes() == (tmp_path / "a.mp4").read_bytes()


def test_a_batch_killed_mid_render_resumes_on_the_embedded_emulator(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps({"name": "slow", "prompt": "p", "duration": 10}) + "\n")
    argv = ["batch", str(jobs), "--out-dir", str(tmp_path / "out"), "--json"]
    # No goodbye: the task lives on in the emulator's saved state
    kill_after(spawn(*argv), "slow: running task ")
    [intent] = [r for r in _journal(tmp_path / "out") if r["state"] == "submitted"]
    again = run_process(*argv)
    assert again.returncode == 0, again.stderr
    [result] = json_lines(again.stdout)
    assert (result["status"], result["task_id"]) == ("Success", intent["task_id"])
    assert_playable_mp4(tmp_path / "out" / "slow.mp4")


def test_a_resumed_task_is_queried_at_once_not_after_the_quiet_period(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    # A receiver is used (loopback emulator); its watchdog would first ask after 30 s.
    emulator = emulator_factory(time_scale=1.0, processing_seconds=3.0)
    jobs = _jobs(tmp_path, 1)
    argv = ["batch", str(jobs), "--out-dir", str(tmp_path / "out"), *emulator.args()]
    kill_after(spawn(*argv), "job0: running task ")
    # A deadline shorter than the quiet period: only an immediate query can meet it.
    again = run_process(*argv, "--timeout", "20", "--json")
    assert again.returncode == 0, again.stderr
    assert len(emulator.creates()) == 1


def test_a_loopback_emulator_delivers_results_by_push(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory(time_scale=1.0, processing_seconds=0.5)
    url = ["--base-url", emulator.base_url, "--api-key", "k"]
    # Polling once every 10 minutes and a 20 s deadline: only a push can finish it.
    done = run_process(
        "generate",
        "--prompt",
        "p",
        "--out",
        "a.mp4",
        "--poll-interval",
        "600",
        "--timeout",
        "20",
        *url,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert emulator.emulator is not None
    finals = [p for p in emulator.emulator.pushes if p.kind == "status" and p.delivered]
    assert finals, emulator.emulator.pushes
    assert finals[0].url.startswith("http://127.0.0.1:")


def test_an_unreachable_callback_url_is_refused_before_any_create(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    done = run_process(
        "generate",
        "--prompt",
        "p",
        *emulator.args(),
        "--callback-listen",
        "127.0.0.1:0",
        "--callback-public-url",
        "http://127.0.0.1:9/nowhere",
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert "does not reach the receiver listening on 127.0.0.1:0" in done.stderr
    assert "Traceback" not in done.stderr
    assert emulator.creates() == []


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://127.0.0.1:99999", "Port out of range"),
        (":abc", "must start with http:// or https://"),
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://", "has no host"),
        ("http://127.0.0.1:8765/v1", "without /v1"),
    ],
)
def test_a_malformed_base_url_is_one_line_and_exit_2(url: str, rule: str) -> None:
    done = run_process("status", "1", "--base-url", url, "--api-key", "k")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [done.stderr.strip()]  # one line, no traceback
    assert f"--base-url={url!r}" in done.stderr
    assert rule in done.stderr
