"""Suite 1: push throughput of our receiver against two plain receivers.

Each receiver runs in its own process; wrk (one thread, 64 connections) floods it on
loopback. The figures are medians of several runs, taken in the same session, and
compared as ratios, since absolute numbers on a small shared machine mean little.
Ours is the standalone receiver (the aiohttp application users mount, on aiohttp's
runner) with ``tasks`` waiters registered, in two variants: "processing" pushes cycling
over those tasks (routing + forward-only update) and one terminal push per task
(routing + future resolution). The baselines: (a) a bare aiohttp handler that parses
the body and answers, (c) the FastAPI + uvicorn sample of MiniMax's documentation.
"""

from __future__ import annotations

from typing import Any

from bench._procs import server_process
from bench._stats import Spread
from bench._wrk import push_flood

__all__ = ("OURS", "RECEIVERS", "TARGETS", "run_throughput")

SECRET = "bench-secret-0123456789abcdef"
OURS = "minimax-async (status pushes)"
OURS_RESOLVE = "minimax-async (terminal pushes)"
BARE = "aiohttp + json (a)"
FASTAPI = "FastAPI + uvicorn (c)"
_OURS_PATH = f"/minimax/callback/{SECRET}/video"
# name -> (module, path, terminal pushes?)
RECEIVERS: dict[str, tuple[str, str, bool]] = {
    OURS: ("bench.receivers.ours", _OURS_PATH, False),
    OURS_RESOLVE: ("bench.receivers.ours", _OURS_PATH, True),
    BARE: ("bench.receivers.baseline_aiohttp", "/minimax/callback", False),
    FASTAPI: ("bench.receivers.baseline_fastapi", "/minimax/callback", False),
}
#: baseline -> (status pushes target, terminal pushes target), as ratios ours / baseline.
TARGETS = {BARE: (1.0, 0.9), FASTAPI: (2.5, 2.5)}
# Enough waiters that a terminal flood never runs out of registered tasks: well above
# what aiohttp serves here (12-15k pushes/s), not so many that registering them all
# before the flood takes longer than the flood.
_RESOLVE_RATE_CEILING = 20_000
# Registering that many waiters takes a while on a loaded machine.
_READY_TIMEOUT = 180.0


def _args(name: str, *, seconds: float, tasks: int) -> tuple[list[str], int]:
    if name == OURS:
        return ["--secret", SECRET, "--tasks", str(tasks)], tasks
    if name == OURS_RESOLVE:
        waiters = int(_RESOLVE_RATE_CEILING * (seconds + 1))
        return ["--secret", SECRET, "--tasks", str(waiters)], waiters
    return [], tasks


def run_throughput(*, seconds: float, rounds: int, tasks: int) -> dict[str, Any]:
    """Median pushes/s per receiver and our ratio to each baseline."""
    samples: dict[str, list[float]] = {name: [] for name in RECEIVERS}
    # Interleave receivers round by round so drift in machine load hits all of them.
    for _ in range(rounds):
        for name, (module, path, terminal) in RECEIVERS.items():
            args, ids = _args(name, seconds=seconds, tasks=tasks)
            with server_process(module, *args, ready_timeout=_READY_TIMEOUT) as port:
                result = push_flood(port, path, seconds=seconds, tasks=ids, terminal=terminal)
            if result.non_2xx or result.errors:
                raise RuntimeError(f"{name}: {result.non_2xx} non-2xx, {result.errors} errors")
            samples[name].append(result.requests_per_second)
    spreads = {name: Spread.of(values) for name, values in samples.items()}
    return {
        "throughput": {name: s.as_dict() for name, s in spreads.items()},
        "samples": samples,
        "rows": _rows(spreads),
    }


def _rows(spreads: dict[str, Spread]) -> list[dict[str, Any]]:
    """One row per receiver; each baseline row carries our two ratios to it."""
    rows = []
    for name, spread in spreads.items():
        row: dict[str, Any] = {
            "receiver": name,
            "pushes/s median": spread.median,
            "min": spread.low,
            "max": spread.high,
            "status / this": "-",
            "terminal / this": "-",
            "target": "-",
            "met": "-",
        }
        if name in TARGETS:
            status, terminal = TARGETS[name]
            ratios = (
                spreads[OURS].median / spread.median,
                spreads[OURS_RESOLVE].median / spread.median,
            )
            row["status / this"] = round(ratios[0], 2)
            row["terminal / this"] = round(ratios[1], 2)
            row["target"] = f">= {status}x / {terminal}x"
            row["met"] = "yes" if ratios[0] >= status and ratios[1] >= terminal else "NO"
        rows.append(row)
    return rows
