"""``python -m bench [--full] [--only SUITE,...]``: run the suites, write bench/results/.

Quick mode (the default, what CI smoke-runs) keeps every run short; ``--full`` takes
5 s wrk runs, 5 rounds and adds the 10,000-task end-to-end run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import _report
from bench._wrk import require_wrk

__all__ = ("FULL", "QUICK", "Mode", "main")


@dataclass(frozen=True)
class Mode:
    """How long and how often each suite runs."""

    name: str
    wrk_seconds: float
    rounds: int
    e2e_sizes: tuple[int, ...]
    poll_tasks: int
    poll_scale: float
    overhead_calls: int
    e2e_rounds: int


QUICK = Mode("quick", 2.0, 2, (1_000,), 100, 0.02, 500, 1)
FULL = Mode("full", 5.0, 5, (1_000, 10_000), 300, 0.05, 6_000, 3)
SUITES = (
    "throughput",
    "challenge",
    "e2e",
    "memory",
    "polling",
    "overhead",
    "cross_worker",
    "startup",
    "download",
    "push_v2",
)


def _suites(mode: Mode) -> dict[str, Callable[[], dict[str, Any]]]:
    # Imported lazily so `--only` runs start quickly and a missing extra names itself.
    from bench.challenge import run_challenge
    from bench.cross_worker import run_cross_worker
    from bench.download import run_download
    from bench.e2e import run_e2e, run_polling
    from bench.memory import run_memory
    from bench.overhead import run_overhead
    from bench.push_v2 import run_push_v2
    from bench.startup import run_startup
    from bench.throughput import run_throughput

    return {
        "throughput": lambda: run_throughput(
            seconds=mode.wrk_seconds, rounds=mode.rounds, tasks=10_000
        ),
        "challenge": lambda: run_challenge(seconds=max(2.0, mode.wrk_seconds)),
        "e2e": lambda: run_e2e(sizes=mode.e2e_sizes, rounds=mode.e2e_rounds),
        "memory": lambda: run_memory(tasks=10_000),
        "polling": lambda: run_polling(
            tasks=mode.poll_tasks, time_scale=mode.poll_scale, intervals=(10, 20)
        ),
        "overhead": lambda: run_overhead(count=mode.overhead_calls, rounds=mode.rounds),
        "cross_worker": lambda: run_cross_worker(tasks=1_000, workers=4, rounds=mode.rounds),
        # Each round is a few interpreter starts: cheap, and start-up times are noisy.
        "startup": lambda: run_startup(rounds=mode.rounds * 3),
        "push_v2": lambda: run_push_v2(seconds=mode.wrk_seconds, rounds=mode.rounds),
        # The figure is for 100 MB; quick mode checks the same path on 16 MiB.
        "download": lambda: run_download(
            size_mib=100 if mode is FULL else 16, rounds=mode.rounds + 1
        ),
    }


#: What profiling found and what changed since; the before/after figures are receiver
#: or client CPU microseconds per operation, same run, same machine.
NOTES = (
    "Profile (py-spy, receiver under wrk): most of a push's cost is aiohttp's own request "
    "and response objects and its write path; ours adds JSON parsing, pydantic validation "
    "of the push (~4.6 us) and status parsing (~1.3 us). A pre-encoded success reply and "
    "the body cap enforced by aiohttp's client_max_size stay.",
    "Removed (issue 11): the httptools protocol, the low-level aiohttp server that "
    "bypassed the router, and the uvloop/orjson paths of the `speed` extra. With them "
    "the receiver did about three times the pushes per second (42k/s status, 30k/s "
    "terminal); without them it does what aiohttp's router does, over 10k/s on this "
    "machine, while MiniMax sends a user one or two pushes a second (creates are limited "
    "to about 20 a minute per account). A hand-written HTTP/1.1 server was the one "
    "internet-facing, unauthenticated component; aiohttp's is maintained and hardened "
    "by its authors. The standalone receiver is now the very app users mount.",
    "Removed (issue 11): the create path's hand-built body dict, which saved a second "
    "validation of the request body (creates 0.74x -> 0.90x of bare aiohttp's client "
    "CPU when it was added): the body is the request model's wire form again, since "
    "creates are limited to about 20 a minute and nobody feels 10 us of one.",
    "Method (commits 'Bench overhead: pair each round's runs' and 'Bench: client overhead "
    "against an instant canned server'): against the emulator, create rates swung "
    "+-20% between runs seconds apart, because the emulator set both clients' pace. A "
    "canned server answering from pre-encoded bytes makes the client the bottleneck; "
    "the per-round ratio's range shrank to a few percent.",
    "Fix (commit 'Transport: build headers, the default timeout and each API URL once'): "
    "cProfile of the overhead suite showed them rebuilt per request. Client CPU per "
    "operation (creates and queries), 3 runs: before 114.7 / 120.5 / 111.3 us, after "
    "114.0 / 109.8 / 109.1 us (bare aiohttp: 96-110 us). The URL cache went with issue "
    "11, and yarl with it as a direct dependency: aiohttp parses a str URL itself.",
)

TITLES = {
    "throughput": "1. Receiver throughput (pushes/s, wrk, 64 connections)",
    "challenge": "2. Challenge echo latency under a push flood",
    "e2e": "3. End to end through AsyncMiniMax + CallbackServer (confirm off)",
    "memory": "3b. Memory per pending task (task.result() on the receiver)",
    "polling": "4. Callbacks vs polling (same workload, emulated seconds)",
    "overhead": "5. Client overhead vs bare aiohttp (instant canned server, client-bound)",
    "cross_worker": "6. Cross-worker push-to-result latency (4 workers, Redis bus)",
    "startup": "7. Start-up: imports vs the core dependencies' own, and `--help`",
    "push_v2": "9. Status pushes with V2 {task: ...} bodies vs V1 bodies (same receiver, wrk)",
    "download": "8. Video download vs curl (loopback, emulator's file handler)",
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen suites and write the results; exit 0 even if a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="long runs, 5 rounds, 10k tasks")
    parser.add_argument("--only", default=",".join(SUITES), help="comma-separated suites")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SUITES))
    if unknown:
        parser.error(f"--only: unknown suite(s) {unknown}; choose from {list(SUITES)}")
    require_wrk()
    mode = FULL if args.full else QUICK
    suites = _suites(mode)
    results: dict[str, Any] = {
        "tables": {},
        "seconds": {},
        "notes": list(NOTES),
    }
    samples: dict[str, list[float]] = {}
    for name in chosen:
        print(f"[bench] {name} ({mode.name}) ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        outcome = suites[name]()
        results["seconds"][name] = round(time.perf_counter() - started, 1)
        results["tables"][TITLES[name]] = outcome["rows"]
        results[name] = outcome
        if name == "throughput":
            results["throughput"] = outcome["throughput"]
            results["throughput_runs"] = outcome["samples"]
        elif name == "challenge":
            samples["challenge echo under flood"] = outcome["samples"]
        elif name == "e2e":
            samples.update(outcome["samples"])
    results["latency_samples_ms"] = samples
    where = _report.write(results, mode=mode.name)
    print((where / "results.md").read_text())
    print(f"[bench] wrote {where}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
