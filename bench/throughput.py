"""Suite 1: push throughput of our receiver against three plain receivers.

Each receiver runs in its own process; wrk (one thread, 64 connections) floods it on
loopback. The figures are medians of several runs, taken in the same session, and
compared as ratios, since absolute numbers on a small shared machine mean little.
Ours is measured with ``tasks`` waiters registered, in two variants: "processing"
pushes cycling over those tasks (routing + forward-only update) and one terminal push
per task (routing + future resolution); and on both of its HTTP implementations: the
httptools protocol (what ``http="auto"`` picks with the ``speed`` extra, the install
the targets are for) and aiohttp's server (what a default install gets).
"""

from __future__ import annotations

from typing import Any

from bench._procs import server_process
from bench._stats import Spread
from bench._wrk import push_flood

__all__ = ("OURS", "RECEIVERS", "run_throughput")

SECRET = "bench-secret-0123456789abcdef"
OURS = "minimax-async (status pushes)"
OURS_RESOLVE = "minimax-async (terminal pushes)"
ON_AIOHTTP = "minimax-async on aiohttp (status pushes)"
ON_AIOHTTP_RESOLVE = "minimax-async on aiohttp (terminal pushes)"
_OURS_PATH = f"/minimax/callback/{SECRET}/video"
# name -> (module, path, terminal pushes?, extra arguments)
RECEIVERS: dict[str, tuple[str, str, bool, tuple[str, ...]]] = {
    OURS: ("bench.receivers.ours", _OURS_PATH, False, ("--http", "httptools")),
    OURS_RESOLVE: ("bench.receivers.ours", _OURS_PATH, True, ("--http", "httptools")),
    ON_AIOHTTP: ("bench.receivers.ours", _OURS_PATH, False, ("--http", "aiohttp")),
    ON_AIOHTTP_RESOLVE: ("bench.receivers.ours", _OURS_PATH, True, ("--http", "aiohttp")),
    "aiohttp + json (a)": ("bench.receivers.baseline_aiohttp", "/minimax/callback", False, ()),
    "uvloop + orjson (b)": ("bench.receivers.baseline_uvloop", "/minimax/callback", False, ()),
    "FastAPI + uvicorn (c)": ("bench.receivers.baseline_fastapi", "/minimax/callback", False, ()),
}
_OURS = (OURS, OURS_RESOLVE, ON_AIOHTTP, ON_AIOHTTP_RESOLVE)
TARGETS = {"aiohttp + json (a)": 1.0, "uvloop + orjson (b)": 0.8, "FastAPI + uvicorn (c)": 3.0}
# Enough waiters that a terminal flood never runs out of registered tasks.
_RESOLVE_RATE_CEILING = 80_000


def _args(name: str, *, seconds: float, tasks: int) -> tuple[list[str], int]:
    extra = list(RECEIVERS[name][3])
    if name in (OURS, ON_AIOHTTP):
        return ["--secret", SECRET, "--tasks", str(tasks), *extra], tasks
    if name in (OURS_RESOLVE, ON_AIOHTTP_RESOLVE):
        waiters = int(_RESOLVE_RATE_CEILING * (seconds + 1))
        return ["--secret", SECRET, "--tasks", str(waiters), *extra], waiters
    return extra, tasks


def run_throughput(*, seconds: float, rounds: int, tasks: int) -> dict[str, Any]:
    """Median pushes/s per receiver and our ratio to each baseline."""
    samples: dict[str, list[float]] = {name: [] for name in RECEIVERS}
    # Interleave receivers round by round so drift in machine load hits all of them.
    for _ in range(rounds):
        for name, (module, path, terminal, _) in RECEIVERS.items():
            args, ids = _args(name, seconds=seconds, tasks=tasks)
            with server_process(module, *args) as port:
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
    """One row per receiver; each baseline row carries our four ratios to it."""
    rows = []
    for name, spread in spreads.items():
        target = TARGETS.get(name)
        row: dict[str, Any] = {
            "receiver": name,
            "pushes/s median": spread.median,
            "min": spread.low,
            "max": spread.high,
            "ours / this": "-",
            "ours (terminal) / this": "-",
            "met": "-",
            "on aiohttp / this": "-",
            "on aiohttp (terminal) / this": "-",
            "met on aiohttp": "-",
            "target": "-",
        }
        if target is not None:
            ratios = {ours: spreads[ours].median / spread.median for ours in _OURS}
            row["ours / this"] = round(ratios[OURS], 2)
            row["ours (terminal) / this"] = round(ratios[OURS_RESOLVE], 2)
            row["on aiohttp / this"] = round(ratios[ON_AIOHTTP], 2)
            row["on aiohttp (terminal) / this"] = round(ratios[ON_AIOHTTP_RESOLVE], 2)
            fast = min(ratios[OURS], ratios[OURS_RESOLVE])
            plain = min(ratios[ON_AIOHTTP], ratios[ON_AIOHTTP_RESOLVE])
            row["met"] = "yes" if fast >= target else "NO"
            row["met on aiohttp"] = "yes" if plain >= target else "NO"
            row["target"] = f">= {target}x"
        rows.append(row)
    return rows
