"""Suite: a big video download through the SDK against curl, same server, same run.

The server (bench.download_server) serves one file with the emulator's download code
on loopback. Each round downloads it once with ``curl -o`` and once with
``client.files.download`` (in a fresh process, after a small warm-up download), in
alternating order; the figure is the SDK's throughput as a fraction of curl's, per
round, each client's CPU seconds (steadier than wall time on a shared machine), and
the SDK process's peak-RSS growth, which stays flat whatever the size.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._procs import ROOT, server_process

__all__ = ("run_download",)

_MIB = 1024 * 1024


def _make_file(path: Path, size: int) -> None:
    block = os.urandom(_MIB)  # incompressible, like a video
    with path.open("wb") as out:
        for _ in range(size // _MIB):
            out.write(block)
        out.write(block[: size % _MIB])


def _curl_run(url: str, dest: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``curl -o``."""
    curl = shutil.which("curl")
    if curl is None:
        raise RuntimeError("the download suite needs curl on PATH")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([curl, "-sS", "--fail", "-o", os.fspath(dest), url], check=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def _sdk_run(base_url: str, dest: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.fspath(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "bench.download_client", base_url, os.fspath(dest)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_download(*, size_mib: int, rounds: int) -> dict[str, Any]:
    """Download a ``size_mib`` MiB file ``rounds`` times with each tool."""
    size = size_mib * _MIB
    with tempfile.TemporaryDirectory(prefix="mmx-bench-dl-") as tmp:
        served = Path(tmp) / "served.mp4"
        _make_file(served, size)
        curl_mbps: list[float] = []
        sdk_mbps: list[float] = []
        growth_mib: list[float] = []
        curl_cpu: list[float] = []
        sdk_cpu: list[float] = []
        with server_process("bench.download_server", os.fspath(served)) as port:
            base = f"http://127.0.0.1:{port}"
            # Not counted: brings the served file into the page cache for both tools.
            _curl_run(f"{base}/blob", Path(tmp) / "warm.mp4")
            for index in range(rounds):
                order = ("curl", "sdk") if index % 2 == 0 else ("sdk", "curl")
                for tool in order:
                    dest = Path(tmp) / f"{tool}-{index}.mp4"
                    if tool == "curl":
                        seconds, cpu = _curl_run(f"{base}/blob", dest)
                        curl_mbps.append(size / _MIB / seconds)
                        curl_cpu.append(cpu)
                    else:
                        run = _sdk_run(base, dest)
                        sdk_mbps.append(size / _MIB / run["seconds"])
                        sdk_cpu.append(run["cpu_seconds"])
                        growth = run["rss_after_kib"] - run["rss_before_kib"]
                        growth_mib.append(growth / 1024)
                    if dest.stat().st_size != size:
                        raise RuntimeError(f"{tool} saved {dest.stat().st_size} of {size} bytes")
                    dest.unlink()
    ratios = [s / c for s, c in zip(sdk_mbps, curl_mbps, strict=True)]
    ratio = statistics.median(ratios)
    rows = [
        {
            "measure": f"{size_mib} MiB over loopback, MiB/s (median of {rounds})",
            "curl": round(statistics.median(curl_mbps), 1),
            "sdk": round(statistics.median(sdk_mbps), 1),
            "sdk / curl": round(ratio, 2),
            "target": ">= 0.9",
        },
        {
            # Steadier than wall time on a shared machine: what each client itself spent.
            "measure": f"client CPU seconds per download (median of {rounds})",
            "curl": round(statistics.median(curl_cpu), 3),
            "sdk": round(statistics.median(sdk_cpu), 3),
            "sdk / curl": round(statistics.median(sdk_cpu) / statistics.median(curl_cpu), 2),
            "target": "",
        },
        {
            "measure": "SDK peak RSS growth during the download, MiB (max)",
            "curl": "",
            "sdk": round(max(growth_mib), 1),
            "sdk / curl": "",
            "target": f"flat (file is {size_mib} MiB)",
        },
    ]
    return {
        "rows": rows,
        "ratio": ratio,
        "ratios": ratios,
        "curl_mib_s": curl_mbps,
        "sdk_mib_s": sdk_mbps,
        "rss_growth_mib": growth_mib,
        "curl_cpu_s": curl_cpu,
        "sdk_cpu_s": sdk_cpu,
    }
