"""``batch`` with MiniMax-H3 (V2) jobs, as a real process against the emulator: mixed
with V1 jobs, references from local files, resumed after Ctrl-C or a kill (on the
embedded emulator too), ambiguous creates never resent, bad lines refused before
anything is sent."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from minimax_async.cli._jobs import parse_jobs
from minimax_async.durable._records import new_entry
from tests.cli._helpers import (
    assert_playable_mp4,
    interrupt_after,
    json_lines,
    kill_after,
    run_process,
    spawn,
)
from tests.cli.conftest import ThreadedEmulator
from tests.v2.media import CLIP_3S, VOICE_MP3

EmulatorFactory = Callable[..., ThreadedEmulator]
ASSETS = Path(__file__).parent.parent.parent / "examples" / "assets"


def _jobs_file(folder: Path, *lines: dict[str, Any]) -> Path:
    """``folder/jobs.jsonl`` beside copies of the media it names (paths are relative)."""
    for source in (ASSETS / "pet.jpg", ASSETS / "lighthouse_first.jpg", CLIP_3S, VOICE_MP3):
        shutil.copy(source, folder / source.name)
    path = folder / "jobs.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _journal(out_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out_dir / "journal.jsonl").read_text().splitlines()]


def _v2_creates(emulator: ThreadedEmulator) -> list[Any]:
    return [r for r in emulator.creates() if r.path == "/v2/video_generation"]


def _batch(jobs: Path, out_dir: Path, emulator: ThreadedEmulator, *extra: str) -> list[str]:
    return ["batch", str(jobs), "--out-dir", str(out_dir), *emulator.args(), *extra]


def test_a_mixed_v1_and_v2_batch_saves_real_videos(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    jobs = _jobs_file(
        tmp_path,
        {"name": "v1", "prompt": "A lighthouse at dusk", "camera": ["Push in"]},
        {"name": "text", "model": "MiniMax-H3", "prompt": "A gull over waves", "ratio": "16:9"},
        {
            "name": "refs",
            "model": "MiniMax-H3",
            "prompt": "Image 1 trots like Video 1 and barks like Audio 1",
            "reference_images": ["pet.jpg"],
            "reference_videos": [CLIP_3S.name],
            "reference_audios": VOICE_MP3.name,  # one item needs no list
            "ratio": "9:16",
        },
        {
            "name": "frame",
            "model": "MiniMax-H3-Max",
            "prompt": "Night falls",
            "first_frame_image": "lighthouse_first.jpg",
            "duration": 6,
        },
    )
    out_dir = tmp_path / "out"
    done = run_process(*_batch(jobs, out_dir, emulator, "--json"))
    assert done.returncode == 0, done.stderr
    results = {r["name"]: r for r in json_lines(done.stdout)}
    assert set(results) == {"v1", "text", "refs", "frame"}
    assert all(r["status"] == "Success" for r in results.values()), results
    assert results["v1"]["file_id"]
    assert results["refs"]["video_url"].startswith("http://127.0.0.1:")
    assert (results["refs"]["width"], results["refs"]["height"]) == (768, 1344)
    for name, record in results.items():
        assert record["path"] == str(out_dir / f"{name}.mp4")
        assert_playable_mp4(out_dir / f"{name}.mp4")
    assert_playable_mp4(out_dir / "refs.mp4", size=(768, 1344))
    assert len(emulator.creates()) == 4
    assert len(_v2_creates(emulator)) == 3
    # The local files went inline, in the order and roles the line gave them.
    assert emulator.emulator is not None
    tasks = {
        task.request["content"][0]["text"]: task for task in emulator.emulator.v2_tasks.values()
    }
    refs = tasks["Image 1 trots like Video 1 and barks like Audio 1"].request
    assert [item.get("role") for item in refs["content"]] == [
        None,
        "reference_image",
        "reference_video",
        "reference_audio",
    ]
    assert refs["content"][1]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert refs["ratio"] == "9:16"
    assert tasks["Night falls"].request["ratio"] == "adaptive"
    kinds = {r["key"]: r["kind"] for r in _journal(out_dir)}
    assert kinds == {"v1": "video", "text": "v2", "refs": "v2", "frame": "v2"}
    states = [(r["key"], r["state"]) for r in _journal(out_dir) if r["key"] == "refs"]
    assert [s for _, s in states] == ["intent", "submitted", "finished"]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            {"model": "MiniMax-H3", "prompt": "x", "first_frame_image": "pet.jpg", "ratio": "16:9"},
            "ratio='16:9': first/last frame videos take the frame's aspect ('adaptive')",
        ),
        (
            {"model": "MiniMax-H3", "prompt": "x", "reference_audios": [VOICE_MP3.name]},
            "reference_audios='<1 audios>': audio cannot be the only reference",
        ),
        (
            {"model": "MiniMax-H3", "prompt": "x", "reference_videos": ["pet.jpg"]},
            "reference_videos[0]='pet.jpg': is image (jpeg); this field takes",
        ),
        (
            {"model": "MiniMax-H3", "prompt": "x", "reference_images": ["missing.png"]},
            "reference_images[0]='missing.png': no such file",
        ),
        (
            {"model": "MiniMax-H3", "prompt": "x", "camera": ["Pan left"]},
            "camera=['Pan left']: MiniMax-H3 (the V2 API) has no such field",
        ),
        (
            {"prompt": "x", "reference_images": ["pet.jpg"]},
            "reference_images=['pet.jpg']: the default V1 model does not take it",
        ),
        (
            {"model": "MiniMax-H3", "prompt": "x", "duration": 20, "ratio": "16:9"},
            "duration=20: MiniMax-H3 takes a whole number of seconds",
        ),
    ],
)
def test_a_bad_v2_line_names_its_field_and_nothing_is_sent(
    tmp_path: Path, emulator_factory: EmulatorFactory, line: dict[str, Any], error: str
) -> None:
    emulator = emulator_factory()
    jobs = _jobs_file(tmp_path, {"name": "good", "model": "MiniMax-H3", "prompt": "ok"}, line)
    done = run_process(*_batch(jobs, tmp_path / "out", emulator, "--strict"))
    assert done.returncode == 2, done.stderr
    assert f"jobs.jsonl: line 2: {error}" in done.stderr
    assert "Traceback" not in done.stderr
    assert emulator.emulator is not None
    assert emulator.emulator.requests == []  # not even an upload
    # Without --strict the good line still runs, and the bad one is in the summary.
    done = run_process(*_batch(jobs, tmp_path / "out", emulator))
    assert done.returncode == 1, done.stderr
    assert re.search(r"^line 2\s+bad\s+", done.stderr, re.MULTILINE), done.stderr
    assert len(emulator.creates()) == 1


def test_ctrl_c_sends_no_more_v2_creates_and_resume_reattaches(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    # Real time: a V2 task renders for 3 s; at 1 create a minute the second job waits.
    emulator = emulator_factory(time_scale=1.0, v2_queued_seconds=0.1, v2_running_seconds=3.0)
    jobs = _jobs_file(
        tmp_path,
        {
            "name": "first",
            "model": "MiniMax-H3",
            "prompt": "Image 1",
            "reference_images": "pet.jpg",
        },
        {"name": "second", "model": "MiniMax-H3-Max", "prompt": "A gull", "ratio": "1:1"},
    )
    out_dir = tmp_path / "out"
    child = spawn(*_batch(jobs, out_dir, emulator, "--rpm", "1", "--concurrency", "2"))
    # "running task N" is printed only once the task id is in the journal.
    rest = interrupt_after(child, "first: running task ")
    assert child.returncode == 130, rest
    assert len(_v2_creates(emulator)) == 1  # the job waiting for the limiter never left
    records = _journal(out_dir)
    assert {(r["key"], r["kind"]) for r in records} == {("first", "v2")}
    task_id = next(r["task_id"] for r in records if r["state"] == "submitted")
    assert re.search(rf"^first\s+running\s+{task_id}\s", rest, re.MULTILINE), rest
    assert re.search(r"^second\s+not started\s*$", rest, re.MULTILINE), rest

    again = run_process(*_batch(jobs, out_dir, emulator, "--rpm", "600", "--json"))
    assert again.returncode == 0, again.stderr
    results = {r["name"]: r for r in json_lines(again.stdout)}
    assert results["first"]["task_id"] == task_id  # re-attached, not re-created
    assert results["second"]["status"] == "Success"
    assert len(_v2_creates(emulator)) == 2
    for name in results:
        assert_playable_mp4(out_dir / f"{name}.mp4")


def test_an_ambiguous_v2_create_is_not_resent_unless_asked(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    # MiniMax answers 500: the create may or may not have been accepted.
    emulator = emulator_factory(v2_error_rate=1.0, v2_error_status=500)
    jobs = _jobs_file(tmp_path, {"name": "h3", "model": "MiniMax-H3", "prompt": "A gull"})
    out_dir = tmp_path / "out"
    argv = _batch(jobs, out_dir, emulator, "--json")
    first = run_process(*argv)
    assert first.returncode == 1, first.stderr
    [record] = json_lines(first.stdout)
    assert record["status"] == "Unknown"
    assert [(r["key"], r["kind"], r["state"]) for r in _journal(out_dir)] == [
        ("h3", "v2", "intent")
    ]
    assert len(_v2_creates(emulator)) == 1

    emulator.config.v2_error_rate = 0.0
    second = run_process(*argv)
    assert second.returncode == 1, second.stderr
    [record] = json_lines(second.stdout)
    assert record["status"] == "Unknown"
    assert "--resubmit-unknown" in record["error"]["message"]
    assert len(_v2_creates(emulator)) == 1  # reported, never resent

    third = run_process(*argv, "--resubmit-unknown")
    assert third.returncode == 0, third.stderr
    [record] = json_lines(third.stdout)
    assert record["status"] == "Success"
    assert len(_v2_creates(emulator)) == 2
    assert_playable_mp4(out_dir / "h3.mp4")


def test_a_v2_job_killed_mid_render_is_collected_by_the_next_run(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory(time_scale=1.0, v2_queued_seconds=0.1, v2_running_seconds=3.0)
    jobs = _jobs_file(tmp_path, {"name": "h3", "model": "MiniMax-H3", "prompt": "A gull"})
    out_dir = tmp_path / "out"
    # No goodbye: only the journal knows the task
    kill_after(spawn(*_batch(jobs, out_dir, emulator)), "h3: running task ")
    [submitted] = [r for r in _journal(out_dir) if r["state"] == "submitted"]
    # A deadline well under the receiver's quiet period: only a query at once meets it.
    again = run_process(*_batch(jobs, out_dir, emulator, "--json", "--timeout", "20"))
    assert again.returncode == 0, again.stderr
    [result] = json_lines(again.stdout)
    assert (result["status"], result["task_id"]) == ("Success", submitted["task_id"])
    assert len(_v2_creates(emulator)) == 1
    assert_playable_mp4(out_dir / "h3.mp4")


def test_a_v2_job_killed_on_the_embedded_emulator_is_collected_by_later_runs(
    tmp_path: Path,
) -> None:
    # No --base-url: every run starts its own embedded emulator on the per-user state
    # file (XDG_CACHE_HOME is this test's), which is all that knows the task.
    jobs = _jobs_file(tmp_path, {"name": "h3", "model": "MiniMax-H3", "prompt": "A gull"})
    out_dir = tmp_path / "out"
    argv = ["batch", str(jobs), "--out-dir", str(out_dir)]
    # No goodbye: the task lives on in the emulator's saved state
    kill_after(spawn(*argv), "h3: running task ")
    [submitted] = [r for r in _journal(out_dir) if r["state"] == "submitted"]
    task_id = submitted["task_id"]
    again = run_process(*argv, "--json")
    assert again.returncode == 0, again.stderr
    [result] = json_lines(again.stdout)
    assert (result["status"], result["task_id"]) == ("Success", task_id)
    assert_playable_mp4(out_dir / "h3.mp4")
    # Yet other runs, other emulators: the task and its video are still there.
    status = run_process("status", task_id, "--v2", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["status"] == "Success"
    waited = run_process("wait", task_id, "--v2", "--out", str(tmp_path / "again.mp4"))
    assert waited.returncode == 0, waited.stderr
    assert (tmp_path / "again.mp4").read_bytes() == (out_dir / "h3.mp4").read_bytes()


def test_a_v2_task_past_the_7_day_window_is_reported_not_queried(
    tmp_path: Path, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    jobs = _jobs_file(tmp_path, {"name": "old", "model": "MiniMax-H3", "prompt": "A gull"})
    [job], _ = parse_jobs(jobs)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    eight_days_ago = time.time() - 8 * 24 * 3600
    entry = new_entry("old", "v2", job.body).evolve(
        state="submitted", task_id="123456", created_at=eight_days_ago
    )
    (out_dir / "journal.jsonl").write_text(entry.to_json() + "\n")
    done = run_process(*_batch(jobs, out_dir, emulator, "--json"))
    assert done.returncode == 1, done.stderr
    [record] = json_lines(done.stdout)
    assert (record["task_id"], record["status"]) == ("123456", "Error")
    assert "created over 7 days ago" in record["error"]["message"]
    assert emulator.emulator is not None
    assert emulator.emulator.requests == []  # neither queried forever nor created again
