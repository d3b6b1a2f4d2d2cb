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
from minimax_async._status import TaskStatus
from minimax_async.cli import _exit
from minimax_async.cli._mp4 import read_mp4_info
from minimax_async.cli._output import Output, TaskRecord
from minimax_async.cli._progress import Progress, cell_width, format_eta, plain_table
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
    assert lines[-3].split() == ["job", "state", "task", "id", "result"]
    assert lines[-2].split() == ["b", "failed", "2", "boom"]
    assert lines[-1] == "1 succeeded"


def test_format_eta() -> None:
    assert format_eta(None) == "?"
    assert format_eta(42) == "42s"
    assert format_eta(185) == "3m05s"
    assert format_eta(3720) == "1h02m"


def test_live_progress_shows_a_bar_and_the_jobs_in_flight() -> None:
    from rich.console import Console

    stream = io.StringIO()
    with Progress(3, stream=stream, live=True) as progress:
        for key in ("a", "b", "c"):
            progress.update(key, "waiting")
        progress.update("a", "done", "a.mp4")
        progress.update("b", "running", "task 42")
        progress.log("line 3: not valid JSON")
        screen = io.StringIO()
        Console(file=screen, width=100).print(progress._render())
    progress.summary([("a", "done", "1", "a.mp4"), ("b", "unknown", "", "not resent")])
    drawn = screen.getvalue()
    assert "━" in drawn  # the bar
    assert "done 1/3, failed 0" in drawn
    assert "elapsed" in drawn
    assert "ETA" in drawn
    in_flight = [line.split() for line in drawn.splitlines()[1:]]
    assert ["b", "running", "task", "42"] in in_flight
    assert not any(row and row[0] in ("a", "c") for row in in_flight)  # done, waiting
    text = stream.getvalue()
    assert "line 3: not valid JSON" in text
    assert "not resent" in text


def test_the_summary_of_a_thousand_jobs_lists_only_what_did_not_succeed() -> None:
    stream = io.StringIO()
    rows = [(f"job{i}", "done", str(i), f"job{i}.mp4") for i in range(997)]
    rows += [("s", "skipped", "7", "s.mp4"), ("f", "failed", "8", "[1026] input sensitive")]
    rows += [("u", "unknown", "", "may have reached MiniMax")]
    Progress(1000, stream=stream, live=False).summary(rows)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5  # headline, header, two rows, the tally
    assert [line.split()[0] for line in lines[2:4]] == ["f", "u"]
    assert lines[-1] == "998 succeeded (1 skipped: done before)"


def test_plain_tables_align_cjk_names_by_cell_width() -> None:
    lines = plain_table(
        ("ID", "NAME", "NEEDS"), [("1", "跳水 Diving", "--media"), ("2", "x", "--text")]
    )
    starts = [cell_width(line[: line.index("--")]) for line in lines[1:]]
    assert starts[0] == starts[1]


def test_the_single_task_display_is_live_on_a_terminal_and_lines_otherwise() -> None:
    from rich.console import Console

    from minimax_async.cli._single import TaskDisplay

    plain = io.StringIO()
    with TaskDisplay("42", stream=plain, live=False) as display:
        display.show(TaskStatus.QUEUEING)
        display.show(TaskStatus.QUEUEING)
        display.show(TaskStatus.PROCESSING)
    assert [line.split(" (")[0] for line in plain.getvalue().splitlines()] == [
        "minimax-async: task 42: Queueing",
        "minimax-async: task 42: Processing",
    ]
    with TaskDisplay("42", stream=io.StringIO(), live=True) as live:
        live.show(TaskStatus.PROCESSING)
        screen = io.StringIO()
        Console(file=screen, width=80).print(live._render())
    assert "task 42: Processing (" in screen.getvalue()  # status, elapsed and the id
