"""Drive a receiver with wrk (a C load generator), so the loader is not the bottleneck."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ("WrkResult", "push_flood", "require_wrk", "task_id", "wrk_running")

# Task ids are 18-digit strings like MiniMax's: "1" followed by 17 digits. wrk's
# LuaJIT prints big numbers as 1e+17, so the id is built as a string.
# "cycle": the request number modulo `tasks`, so pushes revisit registered tasks
# (status processing: routing + forward-only update). "once": each request a new id,
# so every push is the terminal one of its task (routing + future resolution).
_PUSH_LUA = """
local n = -1
local tasks = {tasks}
local cycle = {cycle}
local prefix = "{prefix}"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local i = n
  if cycle then i = n % tasks end
  local body = '{{"task_id": "1' .. string.format("%017d", i) .. '", "status": "{status}", ' ..
    {extra} '"base_resp": {{"status_code": 0, "status_msg": "success"}}}}'
  return wrk.format(nil, prefix, nil, body)
end
"""


def task_id(index: int) -> str:
    """The id wrk sends for task number ``index`` (receivers register the same ids)."""
    return f"1{index:017d}"


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run reported."""

    requests_per_second: float
    requests: int
    errors: int
    non_2xx: int


def require_wrk() -> str:
    """The path of wrk, or exit naming the package to install."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk not found: install it with `apt-get install -y wrk` (Debian package)")
    return path


def _script(path: str, *, tasks: int, terminal: bool) -> str:
    extra = '\'"file_id": "205258526306433", \' ..' if terminal else ""
    return _PUSH_LUA.format(
        tasks=max(tasks, 1),
        cycle="false" if terminal else "true",
        prefix=path,
        status="success" if terminal else "processing",
        extra=extra,
    )


@contextlib.contextmanager
def _script_file(text: str) -> Iterator[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(text)
    try:
        yield handle.name
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _command(port: int, path: str, script: str, seconds: float, connections: int) -> list[str]:
    return [
        require_wrk(),
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "-s",
        script,
        f"http://127.0.0.1:{port}{path}",
    ]


def push_flood(
    port: int,
    path: str,
    *,
    seconds: float,
    connections: int = 64,
    tasks: int = 10_000,
    terminal: bool = False,
) -> WrkResult:
    """Flood ``http://127.0.0.1:port{path}`` with pushes for ``seconds``.

    ``terminal=False`` cycles "processing" pushes over ``tasks`` ids; ``terminal=True``
    sends one "success" push per id, ids counting up from 0.
    """
    with _script_file(_script(path, tasks=tasks, terminal=terminal)) as script:
        out = subprocess.run(
            _command(port, path, script, seconds, connections),
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    return _parse(out)


@contextlib.contextmanager
def wrk_running(
    port: int, path: str, *, seconds: float, connections: int = 64, tasks: int = 10_000
) -> Iterator[subprocess.Popen[str]]:
    """Run a "processing" push flood in the background for the duration of the block."""
    with _script_file(_script(path, tasks=tasks, terminal=False)) as script:
        proc = subprocess.Popen(
            _command(port, path, script, seconds, connections),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
            proc.communicate(timeout=seconds + 60)


def _parse(out: str) -> WrkResult:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if rps is None or total is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(
        float(rps.group(1)), int(total.group(1)), errors, int(non_2xx.group(1)) if non_2xx else 0
    )
