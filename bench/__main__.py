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

from bench import _loop, _report
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
SUITES = ("throughput", "challenge", "e2e", "memory", "polling", "overhead", "cross_worker")


def _suites(mode: Mode) -> dict[str, Callable[[], dict[str, Any]]]:
    # Imported lazily so `--only` runs start quickly and a missing extra names itself.
    from bench.challenge import run_challenge
    from bench.cross_worker import run_cross_worker
    from bench.e2e import run_e2e, run_polling
    from bench.memory import run_memory
    from bench.overhead import run_overhead
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
    }


#: What profiling (py-spy on the receiver under wrk) found and what changed; the
#: before/after figures are receiver CPU microseconds per push, same run, same machine.
NOTES = (
    "Profile (py-spy, receiver under wrk): most time is aiohttp's own request/response "
    "machinery; ours added json.dumps per reply (web.json_response), the chunk iterator "
    "reading the body, pydantic validation (~4.6 us) and status parsing (~1.3 us).",
    "Fix (commit 'Receiver hot path'): orjson when the speed extra is installed, a "
    "pre-encoded success reply, the body cap enforced by aiohttp's client_max_size. "
    "Receiver CPU per status push, 3 interleaved runs: before 72.6 / 78.5 / 88.0 us, "
    "after 55.2 / 68.2 / 66.8 us (12.9k / 12.7k / 11.1k -> 17.3k / 14.6k / 14.1k pushes/s).",
    "Fix (commit 'Standalone receiver on aiohttp's low-level server'): the standalone "
    "receiver skips aiohttp's Application and router and matches its two routes itself; "
    "a bare handler served that way answers about a third more requests per second "
    "(22.6k -> 30.3k on this machine, default loop, std json).",
    "Profile (py-spy, session 2): with the low-level server, a bare handler that skips "
    "our endpoint entirely still cost 37 us of receiver CPU per push against 69 us with "
    "it, though the endpoint itself measured 8-13 us: aiohttp's request and response "
    "objects and its write path are most of the cost, and they grow with everything "
    "else the process touches. A plain asyncio protocol on httptools' parser answering "
    "a pre-built reply cost 5.6 us per request under the same wrk load.",
    "Fix (commit 'Receiver: an httptools protocol for the standalone server'): with the "
    "speed extra, CallbackServer(http='auto') serves pushes through its own protocol on "
    "httptools; aiohttp's server remains the default install's. Receiver CPU per push, "
    "3 interleaved runs, uvloop + orjson: status pushes aiohttp 72.5 / 70.0 / 71.5 us -> "
    "httptools 23.1 / 24.4 / 23.3 us (14.0k -> 42.1k pushes/s); terminal pushes 80.0 / "
    "80.7 / 80.4 us -> 32.8 / 32.6 / 32.9 us (12.4k -> 30.4k pushes/s). A py-spy profile "
    "of the new path puts half its time in the socket write (the kernel's loopback "
    "delivery) and a third in our endpoint, pydantic validation the largest part of it.",
    "Fix (commit 'Transport: build headers, the default timeout and each API URL once'): "
    "cProfile of the overhead suite showed them rebuilt per request. Client CPU per "
    "operation (creates and queries), 3 runs: before 114.7 / 120.5 / 111.3 us, after "
    "114.0 / 109.8 / 109.1 us (bare aiohttp: 96-110 us).",
    "Method (commits 'Bench overhead: pair each round's runs' and 'Bench: client overhead "
    "against an instant canned server'): against the emulator, create rates swung "
    "+-20% between runs seconds apart and the per-round ratio ranged 0.68-1.63, because "
    "the emulator set both clients' pace. A canned server answering from pre-encoded "
    "bytes makes the client the bottleneck; the ratio's range shrank to a few percent "
    "and showed creates at 0.74x (0.70-0.74), under the 0.85x target.",
    "Fix (commit 'Client creates: drop per-create work'): cProfile with the network "
    "call stubbed out (our create path alone: 11.4 -> 10.3 us) and a py-spy/cProfile "
    "diff against bare aiohttp found a second pydantic validation of the request body, "
    "a weakref.finalize per handle, per-request header merging, uuid4's system call and "
    "an extra coroutine layer. Creates 0.74x -> 0.90x (0.86-0.97), queries 0.91x -> "
    "0.93x, 5 paired rounds of 6,000 calls each.",
)

TITLES = {
    "throughput": "1. Receiver throughput (pushes/s, wrk, 64 connections)",
    "challenge": "2. Challenge echo latency under a push flood",
    "e2e": "3. End to end through AsyncMiniMax + CallbackServer (confirm off)",
    "memory": "3b. Memory per pending task (task.result() on the receiver)",
    "polling": "4. Callbacks vs polling (same workload, emulated seconds)",
    "overhead": "5. Client overhead vs bare aiohttp (instant canned server, client-bound)",
    "cross_worker": "6. Cross-worker push-to-result latency (4 workers, Redis bus)",
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
        "loop": _loop.loop_name(),
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
