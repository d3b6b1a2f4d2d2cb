"""Drive a receiver with wrk (a C load generator), so the loader is not the bottleneck."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Each request is a query-shaped push for one of `tasks` task ids, cycling, so the
# receiver routes to many tasks rather than one hot key.
_PUSH_LUA = """
local n = 0
local tasks = {tasks}
local prefix = "{prefix}"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local id = 100000000000000000 + (n % tasks)
  local body = '{{"task_id": "' .. id .. '", "status": "processing", ' ..
    '"base_resp": {{"status_code": 0, "status_msg": "success"}}}}'
  return wrk.format(nil, prefix, nil, body)
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    errors: int
    non_2xx: int


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk not found: install it with `apt-get install -y wrk` (Debian package)")
    return path


def push_flood(
    port: int, path: str, *, seconds: float, connections: int = 64, tasks: int = 10_000
) -> WrkResult:
    """Flood ``http://127.0.0.1:port{path}`` with pushes for ``seconds``."""
    script = _PUSH_LUA.format(tasks=tasks, prefix=path)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                require_wrk(),
                "-t1",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        Path(handle.name).unlink(missing_ok=True)
    return _parse(out)


def _parse(out: str) -> WrkResult:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(float(rps.group(1)), errors, int(non_2xx.group(1)) if non_2xx else 0)
