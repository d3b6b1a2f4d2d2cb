"""The benchmark harness imports and its pure parts compute what they claim.

No timing is asserted anywhere: the benchmarks themselves run with ``nox -s bench``.
"""

from __future__ import annotations

import anyio
import pytest

from bench import _report
from bench._stats import Spread, latency_summary, percentile
from bench._wrk import _parse, _script, task_id
from bench.emulator_proc import dump
from minimax_async.emulator import Emulator, EmulatorConfig
from tests.emulator._helpers import caller, receiver

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:1/x
  1 threads and 64 connections
  40960 requests in 2.00s, 5.00MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:  20480.50
Transfer/sec:      2.50MB
"""


def test_percentiles_use_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    summary = latency_summary([3.0, 1.0, 2.0])
    assert summary == {"p50_ms": 2.0, "p99_ms": 3.0, "max_ms": 3.0, "count": 3.0}
    assert Spread.of([5.0, 1.0, 3.0]).as_dict() == {"median": 3.0, "min": 1.0, "max": 5.0}


def test_wrk_output_is_parsed_with_errors_and_non_2xx() -> None:
    result = _parse(WRK_OUTPUT)
    assert result.requests_per_second == 20480.5
    assert result.requests == 40960
    assert result.errors == 5
    assert result.non_2xx == 7
    with pytest.raises(RuntimeError, match="unexpected wrk output"):
        _parse("garbage")


def test_wrk_scripts_send_the_ids_receivers_register() -> None:
    assert task_id(0) == "100000000000000000"
    assert task_id(42) == "100000000000000042"
    cycling = _script("/cb/secret/video", tasks=10, terminal=False)
    assert "local cycle = true" in cycling
    assert '"status": "processing"' in cycling
    terminal = _script("/cb/secret/video", tasks=10, terminal=True)
    assert "local cycle = false" in terminal
    assert "file_id" in terminal


def test_markdown_has_one_table_per_suite_and_the_reproduce_command() -> None:
    payload = {
        "mode": "quick",
        "loop": "asyncio",
        "machine": _report.machine(),
        "tables": {"Suite": [{"name": "x", "value": 1234.5, "met": "yes"}]},
    }
    text = _report.markdown(payload)
    assert "## Suite" in text
    assert "| x | 1,234 | yes |" in text
    assert "nox -s bench -- --full" in text


async def test_the_emulator_dump_pairs_each_task_with_its_terminal_push() -> None:
    config = EmulatorConfig(time_scale=0.01, seed=3)
    async with Emulator(config=config) as emulator, receiver() as hook:
        async with caller(emulator.base_url, "bench-key-0123456789") as api:
            created = await api.create(model="T2V-01", prompt="dump", callback_url=hook.url)
        with anyio.fail_after(30):
            await emulator.wait_for_pushes(
                lambda pushes: any(
                    p.delivered and p.body.get("status") == "success" for p in pushes
                )
            )
        seen = dump(emulator)
    stamps = seen["tasks"][created["task_id"]]
    assert stamps["ended_at"] is not None
    assert stamps["pushed_at"] is not None
    assert stamps["pushed_at"] >= stamps["ended_at"]
    assert seen["requests"] == {"/v1/video_generation": 1}
    assert seen["challenges"] == 1


def test_startup_suite_reports_both_imports_and_help() -> None:
    from bench.startup import run_startup

    outcome = run_startup(rounds=1)
    whats = [row["what"] for row in outcome["rows"]]
    assert whats == [
        "import minimax_async",
        "from minimax_async import AsyncMiniMax",
        "minimax-async --help (whole process)",
    ]
    assert all(value > 0 for value in outcome["samples"]["baseline"])
    assert len(outcome["samples"]["help"]) == 1
