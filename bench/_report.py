"""Write benchmark results as JSON, a markdown table and PNG plots in bench/results/."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

__all__ = ("RESULTS", "machine", "markdown", "plot", "write")

RESULTS = Path(__file__).resolve().parent / "results"
REPRODUCE = "nox -s bench            # quick mode\nnox -s bench -- --full  # full mode"


def machine() -> dict[str, Any]:
    import os

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write(results: dict[str, Any], *, mode: str) -> Path:
    """Write results.json, results.md and the PNG plots; returns the directory."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"mode": mode, "machine": machine(), **results}
    (RESULTS / "results.json").write_text(json.dumps(payload, indent=2) + "\n")
    (RESULTS / "results.md").write_text(markdown(payload))
    plot(payload)
    return RESULTS


def markdown(payload: dict[str, Any]) -> str:
    """The results as a markdown page: one table per suite."""
    lines = [f"# Benchmark results ({payload['mode']} mode)", ""]
    m = payload["machine"]
    lines.append(
        f"Python {m['python']} (asyncio's default event loop) on "
        f"{m['platform']}, {m['cpus']} CPUs, {m['when']}. Ratios are measured in the same "
        "run on the same machine; figures are medians with min and max over the rounds."
    )
    lines.append("")
    for note in payload.get("notes", []):
        lines.append(f"- {note}")
    if payload.get("notes"):
        lines.append("")
    for section, rows in payload.get("tables", {}).items():
        lines.append(f"## {section}")
        lines.append("")
        header = list(rows[0])
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines.extend("| " + " | ".join(_cell(row[k]) for k in header) + " |" for row in rows)
        lines.append("")
    lines += ["Reproduce:", "", "```sh", REPRODUCE, "```", ""]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def plot(payload: dict[str, Any]) -> None:
    """A throughput bar chart and a latency CDF, if matplotlib is installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    throughput = payload.get("throughput", {})
    if throughput:
        fig, ax = plt.subplots(figsize=(8, 3.5))
        names = list(throughput)
        medians = [throughput[n]["median"] for n in names]
        lows = [throughput[n]["median"] - throughput[n]["min"] for n in names]
        highs = [throughput[n]["max"] - throughput[n]["median"] for n in names]
        ax.barh(names, medians, xerr=[lows, highs], color="#457b9d")
        ax.set_xlabel("pushes per second (median, min-max whiskers)")
        ax.set_title("Push receiver throughput (wrk on loopback, 64 connections)", fontsize=10)
        fig.tight_layout()
        fig.savefig(RESULTS / "throughput.png", dpi=110)
        plt.close(fig)
    cdfs = payload.get("latency_samples_ms", {})
    if cdfs:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        for name, samples in cdfs.items():
            ordered = sorted(samples)
            if not ordered:
                continue
            ys = [(i + 1) / len(ordered) for i in range(len(ordered))]
            ax.plot(ordered, ys, label=name)
        ax.set_xscale("log")
        ax.set_xlabel("latency (ms, log scale)")
        ax.set_ylabel("fraction of events")
        ax.set_title("Latency CDF")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(RESULTS / "latency_cdf.png", dpi=110)
        plt.close(fig)
