"""Suite 1: push throughput of our receiver against three plain receivers.

Each receiver runs in its own process; wrk (one thread) floods it on loopback. The
figures are medians of several runs, taken in the same session, and compared as
ratios, since absolute numbers on a small shared machine mean little.
"""

from __future__ import annotations

from typing import Any

from bench._procs import server_process
from bench._stats import Spread
from bench._wrk import push_flood

RECEIVERS = {
    "minimax-async": ("bench.receivers.ours", "/minimax/callback/{secret}/video"),
    "aiohttp + json (a)": ("bench.receivers.baseline_aiohttp", "/minimax/callback"),
    "uvloop + orjson (b)": ("bench.receivers.baseline_uvloop", "/minimax/callback"),
    "FastAPI + uvicorn (c)": ("bench.receivers.baseline_fastapi", "/minimax/callback"),
}
TARGETS = {"aiohttp + json (a)": 1.0, "uvloop + orjson (b)": 0.8, "FastAPI + uvicorn (c)": 3.0}
SECRET = "bench-secret-0123456789abcdef"


def run(*, seconds: float, rounds: int, tasks: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {name: [] for name in RECEIVERS}
    # Interleave receivers round by round so drift in machine load hits all of them.
    for _ in range(rounds):
        for name, (module, path) in RECEIVERS.items():
            args = ["--secret", SECRET, "--tasks", str(tasks)] if name == "minimax-async" else []
            with server_process(module, *args) as port:
                result = push_flood(port, path.format(secret=SECRET), seconds=seconds, tasks=tasks)
            if result.non_2xx or result.errors:
                raise RuntimeError(f"{name}: {result.non_2xx} non-2xx, {result.errors} errors")
            samples[name].append(result.requests_per_second)
    spreads = {name: Spread.of(values) for name, values in samples.items()}
    ours = spreads["minimax-async"].median
    rows = []
    for name, spread in spreads.items():
        ratio = ours / spread.median
        target = TARGETS.get(name)
        rows.append(
            {
                "receiver": name,
                "pushes/s median": spread.median,
                "min": spread.low,
                "max": spread.high,
                "ours / this": round(ratio, 2) if name != "minimax-async" else "-",
                "target": f">= {target}x" if target else "-",
                "met": ("yes" if ratio >= target else "NO") if target else "-",
            }
        )
    return {
        "throughput": {name: s.as_dict() for name, s in spreads.items()},
        "throughput_samples": samples,
        "table": rows,
    }
