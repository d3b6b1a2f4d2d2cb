"""Suite 5: what AsyncMiniMax costs over the same calls made with bare aiohttp.

Both drive the same server process with the same concurrency and connection limit:
creates (POST /v1/video_generation) and queries (GET /v1/query/video_generation). The
server is ``bench.canned_api``, which answers from pre-encoded bytes, so the client is
the bottleneck and its whole cost shows (against the emulator, both clients mostly
measured the emulator's own pace, which swung +-20% between runs).
Runs alternate between the two clients round by round, and each round's ratio pairs
two runs made seconds apart: the figure is the median of those per-round ratios of
operations per second (with their min and max), which drift in the machine's load
moves far less than a ratio of medians. Target: the client reaches at least 0.85x.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import anyio

from bench._procs import server_process
from bench._stats import Spread
from minimax_async import AsyncMiniMax

__all__ = ("run_overhead",)

API_KEY = "bench-key-0123456789"
CONCURRENCY = 32
TARGET = 0.85
Op = Callable[[int], Awaitable[None]]


async def _rate(op: Op, count: int) -> float:
    """Operations per second for ``count`` calls of ``op``, ``CONCURRENCY`` at a time."""
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < count:
            index = next_index
            next_index += 1
            await op(index)

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(CONCURRENCY):
            group.start_soon(worker)
    return count / (time.perf_counter() - started)


async def _bare(base_url: str, count: int, task_id: str) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(base_url, headers=headers, connector=connector) as http:

        async def create(index: int) -> None:
            body = {"model": "MiniMax-Hailuo-2.3", "prompt": f"overhead {index}"}
            async with http.post("/v1/video_generation", json=body) as response:
                data = await response.json()
            if data["base_resp"]["status_code"] != 0 or not data["task_id"]:
                raise RuntimeError(f"create failed: {data}")

        async def query(index: int) -> None:
            params = {"task_id": task_id}
            async with http.get("/v1/query/video_generation", params=params) as response:
                data = await response.json()
            if data["base_resp"]["status_code"] != 0:
                raise RuntimeError(f"query failed: {data}")

        return {"create": await _rate(create, count), "query": await _rate(query, count)}


async def _client(base_url: str, count: int, task_id: str) -> dict[str, float]:
    async with AsyncMiniMax(
        api_key=API_KEY,
        base_url=base_url,
        rpm=None,
        max_in_flight=None,
        max_connections=CONCURRENCY,
    ) as client:

        async def create(index: int) -> None:
            task = await client.video.create(model="MiniMax-Hailuo-2.3", prompt=f"overhead {index}")
            task.close()

        async def query(index: int) -> None:
            await client.video.query(task_id)

        return {"create": await _rate(create, count), "query": await _rate(query, count)}


#: The finished task the canned server reports for every query.
QUERIED_TASK = "106916112212032"


def run_overhead(*, count: int, rounds: int) -> dict[str, Any]:
    """Creates/s and queries/s, client vs bare aiohttp, as a median of ``rounds``."""
    rates: dict[str, dict[str, list[float]]] = {
        side: {"create": [], "query": []} for side in ("AsyncMiniMax", "bare aiohttp")
    }
    with server_process("bench.canned_api") as port:
        base_url = f"http://127.0.0.1:{port}"
        sides = [("bare aiohttp", _bare), ("AsyncMiniMax", _client)]
        for _ in range(rounds):
            # Alternate who goes first, so neither always runs on a warmer machine.
            sides.reverse()
            for side, drive in sides:
                measured = anyio.run(lambda d=drive: d(base_url, count, QUERIED_TASK))  # type: ignore[misc]
                for op, value in measured.items():
                    rates[side][op].append(value)
    rows = []
    for op in ("create", "query"):
        ours = Spread.of(rates["AsyncMiniMax"][op])
        bare = Spread.of(rates["bare aiohttp"][op])
        paired = zip(rates["AsyncMiniMax"][op], rates["bare aiohttp"][op], strict=True)
        ratio = Spread.of([mine / theirs for mine, theirs in paired])
        rows.append(
            {
                "operation": op,
                "AsyncMiniMax ops/s": ours.median,
                "client min-max": f"{ours.low:,.0f}-{ours.high:,.0f}",
                "bare aiohttp ops/s": bare.median,
                "bare min-max": f"{bare.low:,.0f}-{bare.high:,.0f}",
                "ratio": round(ratio.median, 3),
                "ratio min-max": f"{ratio.low:.2f}-{ratio.high:.2f}",
                "target": f">= {TARGET}x",
                "met": "yes" if ratio.median >= TARGET else "NO",
            }
        )
    return {"rows": rows, "samples": rates}
