"""One SDK download in a fresh process: ``python -m bench.download_client BASE DEST``.

Prints one JSON line: wall and CPU seconds (all threads) for ``client.files.download``
and the process's peak RSS before and after (the growth is what the download itself
cost in memory).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

from minimax_async import AsyncMiniMax

__all__ = ("main",)


def _peak_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


async def _download(base_url: str, dest: str) -> dict[str, float]:
    async with AsyncMiniMax(api_key="bench-key", base_url=base_url) as client:
        await client.files.download(1, dest + ".warm")  # connection and imports warm
        before = _peak_rss_kib()
        cpu, started = time.process_time(), time.perf_counter()
        await client.files.download(1, dest)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_kib": before,
        "rss_after_kib": _peak_rss_kib(),
    }


def main() -> None:
    print(json.dumps(asyncio.run(_download(sys.argv[1], sys.argv[2]))))


if __name__ == "__main__":
    main()
