"""One task through the real process: output checked before paying, live waiting,
Ctrl-C and --timeout that leave the task running, failures explained, `wait`."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli._helpers import assert_playable_mp4, json_lines, read_until, run_process, spawn
from tests.cli.conftest import ThreadedEmulator
from tests.images import png

EmulatorFactory = Callable[..., ThreadedEmulator]


@contextmanager
def _immutable(folder: Path) -> Iterator[Path]:
    """``folder`` made unwritable in a way root respects too (``chattr +i``)."""
    folder.mkdir()
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"this filesystem has no immutable flag: {made.stderr!r}")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def _unwritable_targets(tmp_path: Path) -> Iterator[tuple[str, str]]:
    (tmp_path / "a-file").write_text("x")
    yield "missing/x.mp4", "the directory missing does not exist"
    yield "a-file/x.mp4", "a-file is not a directory"
    with _immutable(tmp_path / "ro"):
        yield "ro/x.mp4", "cannot write in ro (Operation not permitted)"


def test_an_unwritable_out_is_refused_before_any_create(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    for target, why in _unwritable_targets(tmp_path):
        done = run_process(
            "generate", "--prompt", "p", "--out", target, *emulator.args(), cwd=tmp_path
        )
        assert done.returncode == 2, (target, done.stderr)
        assert why in done.stderr
        assert "nothing was sent" in done.stderr
        assert "Traceback" not in done.stderr
    assert emulator.creates() == []


def test_an_unwritable_out_dir_is_refused_before_any_create(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"prompt": "p"}\n')
    with _immutable(tmp_path / "ro") as folder:
        done = run_process("batch", str(jobs), "--out-dir", str(folder), *emulator.args())
    assert done.returncode == 2, done.stderr
    assert f"--out-dir {folder}: cannot write there" in done.stderr
    assert emulator.creates() == []


def test_a_failed_download_says_how_to_fetch_the_video(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory(time_scale=1.0, processing_seconds=3.0)
    child = spawn(
        "generate", "--prompt", "p", "--out", str(tmp_path / "ro" / "x.mp4"), *emulator.args()
    )
    with _immutable(tmp_path / "ro") as folder:
        subprocess.run(["chattr", "-i", str(folder)], check=True)  # writable at the check
        assert child.stderr is not None
        read_until(child.stderr, "created task ")
        subprocess.run(["chattr", "+i", str(folder)], check=True)  # not at the download
        _, err = child.communicate(timeout=50)
    assert child.returncode == 4, err
    [task] = emulator.emulator.tasks.values()  # type: ignore[union-attr]
    assert f"task {task.task_id} succeeded (file {task.file_id}) but saving" in err
    assert f"fetch it with: minimax-async download {task.file_id} --out {folder / 'x.mp4'}" in err


def test_ctrl_c_while_waiting_leaves_the_task_running_and_wait_collects_it(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory(time_scale=1.0, processing_seconds=2.0)
    child = spawn("generate", "--prompt", "p", "--out", "a.mp4", *emulator.args(), cwd=tmp_path)
    assert child.stderr is not None
    # Plain lines off a terminal: the status, the elapsed time and the task id.
    seen = read_until(child.stderr, ": Processing (")
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=50)
    assert child.returncode == 130, err
    [task_id] = [t for t in emulator.emulator.tasks]  # type: ignore[union-attr]
    assert any(f"task {task_id}: " in line for line in seen)
    command = f"minimax-async wait {task_id} --out a.mp4"
    assert f"keeps running (and billing) at MiniMax; collect it with: {command}" in err
    collected = run_process(*command.split()[1:], *emulator.args(), "--json", cwd=tmp_path)
    assert collected.returncode == 0, collected.stderr
    [record] = json_lines(collected.stdout)
    assert (record["task_id"], record["status"]) == (task_id, "Success")
    assert_playable_mp4(tmp_path / "a.mp4")
    assert len(emulator.creates()) == 1


def test_timeout_exits_5_and_says_how_to_collect(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory(time_scale=1.0, processing_seconds=60.0)
    done = run_process(
        "generate", "--prompt", "p", "--timeout", "1", *emulator.args(), cwd=tmp_path
    )
    assert done.returncode == 5, done.stderr
    [task_id] = list(emulator.emulator.tasks)  # type: ignore[union-attr]
    assert f"gave up after --timeout 1s; task {task_id} keeps running" in done.stderr
    assert f"minimax-async wait {task_id} --out {task_id}.mp4" in done.stderr


def test_status_of_a_failed_task_says_why(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    made = run_process(
        "generate", "--prompt", "x {emulator:fail:1027}", "--json", *emulator.args(), cwd=tmp_path
    )
    assert made.returncode == 1, made.stderr
    [record] = json_lines(made.stdout)
    assert record["error"]["code"] == 1027
    human = run_process("status", record["task_id"], *emulator.connection())
    assert human.returncode == 1
    assert human.stdout.startswith(f"task {record['task_id']}: Fail [1027] ")
    machine = run_process("status", record["task_id"], "--json", *emulator.connection())
    answer = json.loads(machine.stdout)
    assert answer["error"]["code"] == 1027
    assert answer["error"]["message"].startswith("[1027] ")


def _png(path: Path, padding: int = 0) -> Path:
    path.write_bytes(png(640, 360) + b"\0" * padding)
    return path


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--first-frame", "notes.txt"], "--first-frame='notes.txt': is a text file, not an image"),
        (["--last-frame", "ok.png"], "--first-frame: required when --last-frame is given"),
        (
            ["--subject", "ok.png", "--first-frame", "ok.png"],
            "--subject: cannot be combined with --first-frame or --last-frame",
        ),
        (
            ["--first-frame", "big.png"],
            "--first-frame='big.png': image is 21.0 MB; must be under 20 MB",
        ),
        (
            ["--first-frame", "ok.png", "--last-frame", "ok.png", "--model", "MiniMax-Hailuo-2.3"],
            "does not support first+last frame (--first-frame + --last-frame)",
        ),
    ],
)
def test_errors_speak_in_options_and_megabytes(
    tmp_path: Path, flags: list[str], message: str
) -> None:
    (tmp_path / "notes.txt").write_text("a shopping list\n")
    _png(tmp_path / "ok.png")
    _png(tmp_path / "big.png", padding=21 * 1024 * 1024)
    done = run_process("generate", "--prompt", "p", *flags, cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1, done.stderr  # one line, no usage block
    assert message in done.stderr
    assert "_image" not in done.stderr
    assert "bytes" not in done.stderr


def test_an_empty_jobs_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "jobs.jsonl").write_text("\n# nothing yet\n")
    done = run_process("batch", "jobs.jsonl", "--out-dir", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert "jobs.jsonl: no jobs in the file" in done.stderr


def test_inserting_a_line_above_an_unnamed_job_does_not_resubmit_it(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"prompt": "waves"}\n')
    argv = ["batch", str(jobs), "--out-dir", str(tmp_path / "out"), "--rpm", "600"]
    assert run_process(*argv, *emulator.args()).returncode == 0
    jobs.write_text('{"prompt": "a new one"}\n{"prompt": "waves"}\n')
    again = run_process(*argv, *emulator.args(), "--json")
    assert again.returncode == 0, again.stderr
    assert len(emulator.creates()) == 2  # only the new line was sent
    assert "skipped" in again.stderr
