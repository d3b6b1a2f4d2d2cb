"""Exit codes, MP4 box reading, output records and plain progress lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import minimax_async
from minimax_async._exceptions import (
    AmbiguousCreateError,
    APIConnectionError,
    AuthenticationError,
    InvalidInputError,
    InvalidRequestError,
    QuotaError,
    ServerError,
    TaskFailedError,
)
from minimax_async.cli import _exit
from minimax_async.cli._mp4 import read_mp4_info
from minimax_async.cli._output import Output, TaskRecord
from minimax_async.cli._progress import Progress, format_eta
from minimax_async.models import TaskSnapshot

VIDEOS = Path(minimax_async.__file__).parent / "emulator" / "videos"


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (InvalidInputError("prompt", None, "required"), 2),
        (_exit.CliError("bad flag"), 2),
        (AuthenticationError("no", code=1004), 3),
        (QuotaError("no", code=1008), 3),
        (TaskFailedError(TaskSnapshot(task_id="1", status="Fail")), 1),
        (InvalidRequestError("no", code=2013), 1),
        (ServerError("no", code=1000), 4),
        (APIConnectionError("down"), 4),
        (AmbiguousCreateError("timeout", request={}, client_key="k"), 4),
    ],
)
def test_exit_code_for_each_error_family(exc: BaseException, code: int) -> None:
    assert _exit.code_for(exc) == code


def test_combine_picks_the_most_serious() -> None:
    assert _exit.combine() == 0
    assert _exit.combine(0, 1, 0) == 1
    assert _exit.combine(1, 4, 3) == 3
    assert _exit.combine(3, 130) == 130


@pytest.mark.parametrize(
    ("name", "size", "seconds"),
    [("768P_6s.mp4", (1366, 768), 6.0), ("512P_10s.mp4", (912, 512), 10.0)],
)
def test_mp4_info_reads_duration_and_size(name: str, size: tuple[int, int], seconds: float) -> None:
    info = read_mp4_info(VIDEOS / name)
    assert {"ftyp", "moov", "mdat"} <= set(info.boxes)
    assert (info.width, info.height) == size
    assert info.seconds == pytest.approx(seconds)


def test_mp4_info_of_a_non_mp4_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "x.mp4"
    path.write_bytes(b"<html>expired</html>")
    info = read_mp4_info(path)
    assert info.seconds is None
    assert info.width is None


def test_json_record_goes_to_stdout_and_human_line_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    record = TaskRecord(
        "1", "Success", file_id="2", path=Path("a.mp4"), width=1366, height=768, seconds=6.0
    )
    Output(json_mode=True).result(record)
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {
        "task_id": "1",
        "status": "Success",
        "file_id": "2",
        "path": "a.mp4",
        "width": 1366,
        "height": 768,
        "seconds": 6.0,
        "error": None,
    }
    assert "saved a.mp4 (1366x768, 6 s; task 1)" in captured.err


def test_agent_record_carries_video_url_and_batch_fields() -> None:
    record = TaskRecord(
        "1", "Fail", video_url="http://x/v.mp4", name="n", error="e", error_code=1027, batch=True
    )
    data = record.to_json()
    assert "file_id" not in data
    assert data["video_url"] == "http://x/v.mp4"
    assert (data["name"], data["error"]) == ("n", {"code": 1027, "message": "e"})


def test_plain_progress_logs_transitions_and_summary() -> None:
    stream = io.StringIO()
    with Progress(2, stream=stream, live=False) as progress:
        progress.update("a", "waiting")
        progress.update("b", "waiting")
        progress.update("a", "Processing", "task 1")
        progress.update("a", "Processing", "task 1")
        progress.update("a", "done")
        progress.update("b", "failed", "boom")
        progress.summary([("a", "done", "1", "a.mp4"), ("b", "failed", "2", "boom")])
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("a: Processing task 1 [done 0/2, failed 0")
    assert lines[1].startswith("a: done [done 1/2, failed 0")
    assert lines[2].startswith("b: failed boom [done 1/2, failed 1")
    assert lines[-2].split() == ["a", "done", "1", "a.mp4"]
    assert lines[-1].split() == ["b", "failed", "2", "boom"]


def test_format_eta() -> None:
    assert format_eta(None) == "?"
    assert format_eta(42) == "42s"
    assert format_eta(185) == "3m05s"
    assert format_eta(3720) == "1h02m"


def test_live_progress_renders_counts_and_summary_with_rich() -> None:
    stream = io.StringIO()
    with Progress(2, stream=stream, live=True) as progress:
        progress.update("a", "waiting")
        progress.update("b", "waiting")
        progress.update("a", "done", "a.mp4")
        progress.log("line 3: not valid JSON")
    progress.summary([("a", "done", "1", "a.mp4"), ("b", "unknown", "", "not resent")])
    text = stream.getvalue()
    assert "line 3: not valid JSON" in text
    assert "done 1/2, failed 0" in text
    assert "not resent" in text
