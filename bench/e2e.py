"""Suites 3 and 4: many concurrent tasks through AsyncMiniMax against an emulator process.

The emulator runs in its own process (``bench.emulator_proc``) and stamps, in wall-clock
time, when each task ended and when its terminal push was sent; the client and its
callback receiver run here and stamp when ``task.result()`` returned. Both clocks are
the same system clock, so the differences are push-to-result latency (callbacks) and
detection latency (polling).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from bench._procs import server_process
from bench._stats import Spread, latency_summary
from minimax_async import AsyncMiniMax
from minimax_async.callbacks import CallbackServer

__all__ = ("Workload", "WorkloadResult", "run_e2e", "run_polling", "run_workload")

API_KEY = "bench-key-0123456789"
QUERY_PATH = "/v1/query/video_generation"


@dataclass(frozen=True)
class Workload:
    """``tasks`` video tasks; ``poll_interval`` None means callbacks, else polling."""

    tasks: int
    time_scale: float
    stages: tuple[float, float, float] = (0.5, 1.0, 2.5)
    poll_interval: float | None = None
    max_connections: int = 64


@dataclass
class WorkloadResult:
    """Per-task latencies (seconds) and the emulator's request counts."""

    wall_s: float
    push_to_result_s: list[float]
    end_to_result_s: list[float]
    requests: dict[str, int]
    tasks: int
    failures: int

    def requests_per_task(self, path: str | None = None) -> float:
        counted = sum(self.requests.values()) if path is None else self.requests.get(path, 0)
        return counted / self.tasks


def _emulator_args(load: Workload, dump: Path) -> list[str]:
    preparing, queueing, processing = load.stages
    return [
        "--port", "0", "--api-key", API_KEY, "--seed", "7", "--dump", str(dump),
        "--time-scale", f"{load.time_scale:g}",
        "--preparing-seconds", f"{preparing:g}",
        "--queueing-seconds", f"{queueing:g}",
        "--processing-seconds", f"{processing:g}",
    ]  # fmt: skip


async def _drive(base_url: str, load: Workload) -> tuple[float, dict[str, float], int]:
    """Create every task at once, wait for every result; returns wall time, stamps, failures."""
    receiver = None if load.poll_interval is not None else CallbackServer(confirm=False)
    finished: dict[str, float] = {}
    failures = 0
    async with AsyncMiniMax(
        api_key=API_KEY,
        base_url=base_url,
        rpm=None,
        max_in_flight=None,
        max_connections=load.max_connections,
        poll_interval=load.poll_interval or 10.0,
        callbacks=receiver,
    ) as client:

        async def one(index: int) -> None:
            nonlocal failures
            try:
                task = await client.video.create(prompt=f"benchmark task {index}")
                await task.result(timeout=600)
            except Exception:
                failures += 1
                raise
            finished[task.task_id] = time.time()

        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            for index in range(load.tasks):
                group.start_soon(one, index)
        wall = time.perf_counter() - started
    return wall, finished, failures


def run_workload(load: Workload) -> WorkloadResult:
    """Start the emulator, run the workload, collect both sides' stamps."""
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "emulator.json"
        with server_process("bench.emulator_proc", *_emulator_args(load, dump)) as port:
            base_url = f"http://127.0.0.1:{port}"
            wall, finished, failures = anyio.run(lambda: _drive(base_url, load))
        seen: dict[str, Any] = json.loads(dump.read_text())
    pushed, ended = [], []
    for task_id, done_at in finished.items():
        stamps = seen["tasks"][task_id]
        if stamps["pushed_at"] is not None:
            pushed.append(done_at - stamps["pushed_at"])
        if stamps["ended_at"] is not None:
            ended.append(done_at - stamps["ended_at"])
    requests = {path: int(count) for path, count in seen["requests"].items()}
    return WorkloadResult(wall, pushed, ended, requests, load.tasks, failures)


# -- suite 3 ----------------------------------------------------------------------------


def run_e2e(*, sizes: Sequence[int], time_scale: float = 0.2, rounds: int = 1) -> dict[str, Any]:
    """Callbacks end to end at each size, ``rounds`` runs each: wall time, push-to-result
    (median round, with the p99's range), requests per task (the worst round)."""
    rows: list[dict[str, Any]] = []
    samples: dict[str, list[float]] = {}
    for size in sizes:
        results = [run_workload(Workload(tasks=size, time_scale=time_scale)) for _ in range(rounds)]
        summaries = [latency_summary([s * 1000 for s in r.push_to_result_s]) for r in results]
        p99 = Spread.of([summary["p99_ms"] for summary in summaries])
        queries = max(r.requests_per_task(QUERY_PATH) for r in results)
        rows.append(
            {
                "tasks": size,
                "rounds": rounds,
                "wall s": round(statistics.median(r.wall_s for r in results), 2),
                "push-to-result p50 ms": statistics.median(s["p50_ms"] for s in summaries),
                "p99 ms": p99.median,
                "p99 min-max": f"{p99.low:.1f}-{p99.high:.1f}",
                "max ms": max(s["max_ms"] for s in summaries),
                "requests/task": round(max(r.requests_per_task() for r in results), 3),
                "queries/task": round(queries, 3),
                "failed": sum(r.failures for r in results),
                "p99 < 50 ms": "yes" if p99.median < 50 else "NO",
                "0 queries": "yes" if queries == 0 else "NO",
            }
        )
        samples[f"push-to-result, {size:,} tasks"] = [
            s * 1000 for r in results for s in r.push_to_result_s
        ]
    return {"rows": rows, "samples": samples}


# -- suite 4 ----------------------------------------------------------------------------

#: Realistic emulated stage lengths (seconds): a 768P clip takes minutes at MiniMax.
REALISTIC = (5.0, 30.0, 120.0)


def run_polling(*, tasks: int, time_scale: float, intervals: Sequence[float]) -> dict[str, Any]:
    """Callbacks vs polling at public clients' intervals, on the same emulated workload."""
    rows: list[dict[str, Any]] = []
    variants: list[tuple[str, float | None]] = [("callbacks", None)]
    variants += [(f"polling every {i:g} s", i * time_scale) for i in intervals]
    for name, interval in variants:
        load = Workload(tasks, time_scale, REALISTIC, poll_interval=interval)
        result = run_workload(load)
        # Emulator time: real seconds divided by the scale.
        summary = latency_summary([s / time_scale for s in result.end_to_result_s])
        rows.append(
            {
                "mode": name,
                "tasks": tasks,
                "detection p50 s (emulated)": summary["p50_ms"],
                "p99 s": summary["p99_ms"],
                "max s": summary["max_ms"],
                "requests/task": round(result.requests_per_task(), 2),
                "queries/task": round(result.requests_per_task(QUERY_PATH), 2),
                "failed": result.failures,
            }
        )
    return {"rows": rows, "time_scale": time_scale}
