"""``batch``: JSON lines in, videos and a journal out; resumable, never paying twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from minimax_async.cli._jobs import parse_jobs
from minimax_async.durable._records import new_entry
from tests.cli._helpers import assert_playable_mp4, json_lines, run_cli
from tests.cli.conftest import ThreadedEmulator

EmulatorFactory = Callable[..., ThreadedEmulator]
FAST_POLL = ["--poll", "--poll-interval", "0.05", "--rpm", "600"]


def _jobs_file(path: Path, *lines: Any) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    )
    return path


def _journal(out_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out_dir / "journal.jsonl").read_text().splitlines()]


def test_good_lines_run_bad_lines_reported_failures_counted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    jobs = _jobs_file(
        tmp_path / "jobs.jsonl",
        {"name": "dusk", "prompt": "A lighthouse at dusk", "camera": ["Push in"]},
        "{broken",
        {"name": "fails", "prompt": "x {emulator:fail:1026}"},
        {"prompt": "Waves", "duration": 10},
        {"name": "bad-model", "model": "nope", "prompt": "x"},
    )
    out_dir = tmp_path / "out"
    code, stdout, stderr = run_cli(
        capsys, "batch", str(jobs), "--out-dir", str(out_dir), "--json", "--concurrency", "3"
    )
    assert code == 1, stderr
    records = {record["name"]: record for record in json_lines(stdout)}
    unnamed = next(name for name in records if name.startswith("job-"))
    assert set(records) == {"dusk", "fails", unnamed}
    assert records["dusk"]["status"] == "Success"
    assert records["dusk"]["path"] == str(out_dir / "dusk.mp4")
    assert records[unnamed]["seconds"] == 10.0
    assert records["fails"]["status"] == "Fail"
    assert records["fails"]["error"]["code"] == 1026
    assert records["dusk"]["error"] is None
    assert_playable_mp4(out_dir / "dusk.mp4")
    assert_playable_mp4(out_dir / f"{unnamed}.mp4")
    assert "line 2: not valid JSON" in stderr
    assert "line 5: model='nope': unknown model" in stderr
    states = [(r["state"], r["key"]) for r in _journal(out_dir)]
    for key in ("dusk", "fails", unnamed):
        assert [s for s, k in states if k == key] == ["intent", "submitted", "finished"]


def test_strict_stops_at_first_bad_line_before_any_create(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    jobs = _jobs_file(tmp_path / "jobs.jsonl", {"prompt": "ok"}, {"prompt": "ok", "duration": 7})
    code, stdout, stderr = run_cli(
        capsys, "batch", str(jobs), "--out-dir", str(tmp_path / "o"), "--strict", *emulator.args()
    )
    assert code == 2
    assert stdout == ""
    assert "line 2: duration=7" in stderr
    assert emulator.creates() == []


def test_rerun_skips_finished_jobs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    jobs = _jobs_file(tmp_path / "jobs.jsonl", {"name": "a", "prompt": "a"}, {"prompt": "b"})
    argv = ["batch", str(jobs), "--out-dir", str(tmp_path / "o"), *FAST_POLL, *emulator.args()]
    code, _, stderr = run_cli(capsys, *argv)
    assert code == 0, stderr
    assert len(emulator.creates()) == 2
    code, stdout, stderr = run_cli(capsys, *argv, "--json")
    assert code == 0, stderr
    assert len(emulator.creates()) == 2
    records = json_lines(stdout)
    assert [r["status"] for r in records] == ["Success", "Success"]
    assert records[0]["path"] == str(tmp_path / "o" / "a.mp4")
    assert "skipped" in stderr


def test_unknown_outcome_is_not_resent_unless_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    jobs = _jobs_file(tmp_path / "jobs.jsonl", {"name": "a", "prompt": "a"})
    [job], _ = parse_jobs(jobs)
    out_dir = tmp_path / "o"
    out_dir.mkdir()
    # A crash right after the intent was written: did MiniMax get the create?
    (out_dir / "journal.jsonl").write_text(new_entry("a", "video", job.body).to_json() + "\n")
    argv = ["batch", str(jobs), "--out-dir", str(out_dir), *FAST_POLL, *emulator.args()]
    code, stdout, stderr = run_cli(capsys, *argv, "--json")
    assert code == 1
    [record] = json_lines(stdout)
    assert record["status"] == "Unknown"
    assert "--resubmit-unknown" in record["error"]["message"]
    assert emulator.creates() == []
    code, _, stderr = run_cli(capsys, *argv, "--resubmit-unknown")
    assert code == 0, stderr
    assert len(emulator.creates()) == 1


def test_job_changed_under_the_same_name_is_a_bad_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    out_dir = tmp_path / "o"
    jobs = _jobs_file(tmp_path / "jobs.jsonl", {"name": "a", "prompt": "first"})
    argv = ["batch", str(jobs), "--out-dir", str(out_dir), *FAST_POLL, *emulator.args()]
    assert run_cli(capsys, *argv)[0] == 0
    _jobs_file(jobs, {"name": "a", "prompt": "second"})
    code, _, stderr = run_cli(capsys, *argv)
    assert code == 1
    assert "line 1: name='a' changed since the journal recorded it" in stderr
    assert len(emulator.creates()) == 1


def test_auth_failure_stops_the_batch_with_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory(api_keys=frozenset({"right"}))
    jobs = _jobs_file(tmp_path / "jobs.jsonl", *({"prompt": f"p{i}"} for i in range(4)))
    code, _, stderr = run_cli(
        capsys,
        "batch",
        str(jobs),
        "--out-dir",
        str(tmp_path / "o"),
        "--concurrency",
        "1",
        "--base-url",
        emulator.base_url,
        "--api-key",
        "wrong",
    )
    assert code == 3
    assert "1004" in stderr
    assert len(emulator.creates()) == 1


def test_missing_jobs_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, stderr = run_cli(
        capsys, "batch", str(tmp_path / "nope.jsonl"), "--out-dir", str(tmp_path)
    )
    assert code == 2
    assert "nope.jsonl: cannot read the jobs file" in stderr
