"""Startup: what a user waits for before anything happens (issue 12, item 14).

Each round runs, in a fresh interpreter each and in alternating order:

- the baseline: ``import aiohttp, pydantic, anyio`` (the core dependencies);
- ``import minimax_async`` and ``from minimax_async import AsyncMiniMax`` (what a script
  or a web backend does first);
- ``minimax-async --help`` as a whole process (what a new user types first).

Imports are timed inside the child (``perf_counter`` around the import alone), so
interpreter start-up does not dilute the ratio. Every child reads bytecode from one
warmed cache (``PYTHONPYCACHEPREFIX``): an installed package has its ``.pyc`` files,
but a checkout under ``PYTHONDONTWRITEBYTECODE=1`` (as this machine sets) would
recompile our modules on every import while the dependencies' caches exist, which
measured the compiler, not start-up (about 1.67x instead of about 1.5x). ``--help`` is
timed as the wall time of the whole process, since that is what the user sees. Ratios
are per round, against the baseline of the same round, and reported as the median over
rounds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._stats import Spread

__all__ = ("run_startup",)

BASELINE = "import aiohttp, pydantic, anyio"
IMPORTS = {
    "import minimax_async": "import minimax_async",
    "from minimax_async import AsyncMiniMax": "from minimax_async import AsyncMiniMax",
}
IMPORT_TARGET = 1.3
HELP_TARGET_S = 0.25

_TIMED = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"


def _cached_env(prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = prefix
    return env


def _import_seconds(statement: str, env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _TIMED.format(statement=statement)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return float(done.stdout.strip())


def _help_command() -> list[str]:
    # The console script users type, when this interpreter's environment has it.
    script = Path(sys.executable).with_name("minimax-async")
    return [str(script)] if script.exists() else [sys.executable, "-m", "minimax_async"]


def _help_seconds(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([*_help_command(), "--help"], capture_output=True, check=True, env=env)
    return time.perf_counter() - started


def run_startup(*, rounds: int) -> dict[str, Any]:
    """Import ratios against the dependencies' own import, and ``--help`` wall time."""
    with tempfile.TemporaryDirectory(prefix="bench-pyc-") as prefix:
        env = _cached_env(prefix)
        for statement in (BASELINE, *IMPORTS.values()):
            _import_seconds(statement, env)  # fills the cache; not timed
        _help_seconds(env)
        return _rounds(rounds, env)


def _rounds(rounds: int, env: dict[str, str]) -> dict[str, Any]:
    base: list[float] = []
    ours: dict[str, list[float]] = {name: [] for name in IMPORTS}
    helps: list[float] = []
    for index in range(rounds):
        # Alternate who goes first, so neither always runs on a warmer page cache.
        order = [BASELINE, *IMPORTS.values()]
        if index % 2:
            order.reverse()
        measured = {statement: _import_seconds(statement, env) for statement in order}
        base.append(measured[BASELINE])
        for name, statement in IMPORTS.items():
            ours[name].append(measured[statement])
        helps.append(_help_seconds(env))
    rows: list[dict[str, Any]] = []
    for name, values in ours.items():
        ratio = Spread.of([mine / theirs for mine, theirs in zip(values, base, strict=True)])
        rows.append(
            {
                "what": name,
                "ours ms": round(Spread.of(values).median * 1000, 1),
                "baseline ms": round(Spread.of(base).median * 1000, 1),
                "ratio": round(ratio.median, 2),
                "ratio min-max": f"{ratio.low:.2f}-{ratio.high:.2f}",
                "target": f"<= {IMPORT_TARGET}x of `{BASELINE}`",
                "met": "yes" if ratio.median <= IMPORT_TARGET else "NO",
            }
        )
    spread = Spread.of(helps)
    rows.append(
        {
            "what": "minimax-async --help (whole process)",
            "ours ms": round(spread.median * 1000, 1),
            "baseline ms": "-",
            "ratio": "-",
            "ratio min-max": f"{spread.low * 1000:.0f}-{spread.high * 1000:.0f} ms",
            "target": f"< {HELP_TARGET_S * 1000:.0f} ms",
            "met": "yes" if spread.median < HELP_TARGET_S else "NO",
        }
    )
    return {"rows": rows, "samples": {"baseline": base, **ours, "help": helps}}


if __name__ == "__main__":
    for row in run_startup(rounds=int(sys.argv[1]) if len(sys.argv) > 1 else 5)["rows"]:
        print(row)
