"""The push path with V2 (MiniMax-H3) bodies, against V1 bodies on the same receiver.

The throughput receiver (``bench.receivers.ours``, waiters registered, no confirming
query) is flooded by wrk in rounds, alternating V1 ``processing`` pushes on the
``/video`` route and V2 ``{"task": {... "status": "running" ...}}`` pushes on the
``/v2`` route; both cycle over the same registered tasks. The figure is the median
ratio V2 / V1 pushes/s, measured in the same run: a V2 body is larger and parses into
two models (the task, then the engine's snapshot), so somewhat below 1.0 is expected.

    python -m bench.push_v2 --seconds 5 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess

from bench._procs import server_process
from bench._stats import Spread
from bench._wrk import _command, _parse, _script_file, push_flood

__all__ = ("run_push_v2",)

SECRET = "bench-secret-0123456789abcdef"
TASKS = 10_000

# A V2 push as MiniMax composes it (reference V2 §9): the query's {"task": {...}} shape.
_V2_LUA = """
local n = -1
local tasks = {tasks}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local id = "1" .. string.format("%017d", n % tasks)
  local body = '{{"task": {{"id": "' .. id .. '", "model": "MiniMax-H3", ' ..
    '"status": "running", "created_at": 1785125529, "updated_at": 1785125600, ' ..
    '"resolution": "768P", "duration": 5, "usage": {{}}, "ratio": "16:9", ' ..
    '"task_type": "generation", "modality": "video"}}}}'
  return wrk.format(nil, "{path}", nil, body)
end
"""


def _v2_flood(port: int, path: str, seconds: float) -> float:
    with _script_file(_V2_LUA.format(tasks=TASKS, path=path)) as script:
        out = subprocess.run(
            _command(port, path, script, seconds, 64),
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    result = _parse(out)
    if result.non_2xx or result.errors:
        raise RuntimeError(f"V2 pushes: {result.non_2xx} non-2xx, {result.errors} errors")
    return result.requests_per_second


def run_push_v2(*, seconds: float, rounds: int) -> dict[str, object]:
    """Median V1 and V2 pushes/s, and the median of the per-round ratios V2 / V1."""
    v1: list[float] = []
    v2: list[float] = []
    args = ("--secret", SECRET, "--tasks", str(TASKS))
    for round_no in range(rounds):
        with server_process("bench.receivers.ours", *args, ready_timeout=180.0) as port:
            base = f"/minimax/callback/{SECRET}"
            # Alternate which goes first, so a warm-up favours neither body.
            for which in ("v1", "v2") if round_no % 2 == 0 else ("v2", "v1"):
                if which == "v2":
                    v2.append(_v2_flood(port, f"{base}/v2", seconds))
                    continue
                flood = push_flood(port, f"{base}/video", seconds=seconds, tasks=TASKS)
                if flood.non_2xx or flood.errors:
                    raise RuntimeError(f"V1 pushes: {flood.non_2xx} non-2xx, {flood.errors} errors")
                v1.append(flood.requests_per_second)
    ratios = [b / a for a, b in zip(v1, v2, strict=True)]
    ratio = Spread.of(ratios)
    rows = [
        {
            "body": body,
            "pushes/s": round(statistics.median(values)),
            "min-max": f"{min(values):,.0f}-{max(values):,.0f}",
            "ratio to V1": round(ratio.median, 3) if body.startswith("V2") else 1.0,
            "ratio min-max": f"{ratio.low:.2f}-{ratio.high:.2f}" if body.startswith("V2") else "-",
        }
        for body, values in (("V1 processing push", v1), ("V2 {task: running} push", v2))
    ]
    return {
        "rows": rows,
        "v1_pushes_per_s": round(statistics.median(v1)),
        "v2_pushes_per_s": round(statistics.median(v2)),
        "v2_over_v1": round(ratio.median, 3),
        "samples": {"v1": v1, "v2": v2},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run_push_v2(seconds=args.seconds, rounds=args.rounds), indent=2))


if __name__ == "__main__":
    main()
