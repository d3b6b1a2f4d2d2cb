"""Suite 2: challenge echo latency while the receiver is saturated with pushes.

wrk floods our receiver (with ``tasks`` waiters registered) from one process; this
process sends one challenge at a time on its own keep-alive connection and times the
echo. MiniMax allows 3 s; the target is a p99 under 20 ms.
"""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import anyio

from bench._procs import server_process
from bench._stats import latency_summary
from bench._wrk import wrk_running

__all__ = ("run_challenge",)

SECRET = "bench-secret-0123456789abcdef"
PATH = f"/minimax/callback/{SECRET}/video"
TARGET_P99_MS = 20.0


async def _probe(url: str, seconds: float, gap: float) -> list[float]:
    """Challenge after challenge for ``seconds``; latency of each echo in ms."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession() as session:
        index = 0
        while time.perf_counter() < deadline:
            token = f"challenge-{index}"
            started = time.perf_counter()
            async with session.post(url, json={"challenge": token}) as response:
                answer = await response.json()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200 or answer != {"challenge": token}:
                raise RuntimeError(f"bad echo: HTTP {response.status} {answer!r}")
            latencies.append(elapsed)
            index += 1
            # Spacing, not waiting for state: probes sample the flood, not replace it.
            await anyio.sleep(gap)
    return latencies


def run_challenge(*, seconds: float, tasks: int = 10_000) -> dict[str, Any]:
    """Latency summary of challenges answered during a push flood."""
    with server_process("bench.receivers.ours", "--secret", SECRET, "--tasks", str(tasks)) as port:
        url = f"http://127.0.0.1:{port}{PATH}"
        # The flood outlasts the probing by a margin so every probe meets a full load.
        with wrk_running(port, PATH, seconds=seconds + 2, tasks=tasks):
            latencies = anyio.run(lambda: _probe_after_warmup(url, seconds))
    summary = latency_summary(latencies)
    row = {
        "challenges": len(latencies),
        "p50 ms": summary["p50_ms"],
        "p99 ms": summary["p99_ms"],
        "max ms": summary["max_ms"],
        "target": f"p99 < {TARGET_P99_MS:g} ms (MiniMax allows 3000)",
        "met": "yes" if summary["p99_ms"] < TARGET_P99_MS else "NO",
    }
    return {"rows": [row], "samples": latencies}


async def _probe_after_warmup(url: str, seconds: float) -> list[float]:
    # Give wrk half a second to open its connections and reach full load first.
    await anyio.sleep(0.5)
    return await _probe(url, seconds, gap=0.005)
