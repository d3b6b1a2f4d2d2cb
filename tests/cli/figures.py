"""Issue 12's before/after figures for the command line (a script, not a test).

::

    python -m tests.cli.figures ctrl-c   # item 1: s from the first Ctrl-C to exit; creates
    python -m tests.cli.figures resume   # item 5: s until a resumed task is first queried
    python -m tests.cli.figures push     # item 11: s from the task's Success to the result

``--src DIR`` runs the ``minimax-async`` of another checkout (e.g. a ``git worktree`` of
an older commit) against the same emulator, for the "before" column. Timings are what a
user feels on this machine; they are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from minimax_async.emulator import EmulatorConfig
from tests.cli.conftest import ThreadedEmulator


def _cli(src: Path, tmp: Path, *argv: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINIMAX_")}
    env.update(PYTHONPATH=str(src), PYTHONUNBUFFERED="1", XDG_CACHE_HOME=str(tmp / "cache"))
    return subprocess.Popen(
        [sys.executable, "-m", "minimax_async", *argv],
        cwd=tmp,  # not the checkout: -m would import from the current directory first
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _first_task_line(child: subprocess.Popen[str]) -> str:
    """The task id from the first 'job0: ... task N' line (old and new wording)."""
    assert child.stderr is not None
    for line in child.stderr:
        if line.startswith("job0: ") and " task " in line:
            return line.split(" task ")[1].split()[0]
    raise RuntimeError("the batch ended before creating a task")


def _queries(emulator: ThreadedEmulator, task_id: str) -> int:
    assert emulator.emulator is not None
    requests = list(emulator.emulator.requests)
    return sum(1 for r in requests if r.method == "GET" and r.query.get("task_id") == task_id)


def _jobs(tmp: Path, count: int) -> Path:
    jobs = tmp / "jobs.jsonl"
    lines = (json.dumps({"name": f"job{i}", "prompt": f"p{i}"}) for i in range(count))
    jobs.write_text("".join(line + "\n" for line in lines))
    return jobs


def ctrl_c(src: Path, tmp: Path) -> str:
    emulator = ThreadedEmulator(EmulatorConfig(time_scale=1.0, processing_seconds=20.0)).start()
    try:
        # 12 jobs at the default 20 RPM: one create goes at once, the rest wait 3 s apart.
        argv = ["batch", str(_jobs(tmp, 12)), "--out-dir", str(tmp / "out"), "--concurrency", "4"]
        child = _cli(src, tmp, *argv, *emulator.connection())
        _first_task_line(child)
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        child.communicate(timeout=60)
        took = time.monotonic() - sent
        creates = len(emulator.creates())
        return f"exit {child.returncode} {took:.2f} s after Ctrl-C; creates received: {creates}"
    finally:
        emulator.stop()


def resume(src: Path, tmp: Path) -> str:
    emulator = ThreadedEmulator(EmulatorConfig(time_scale=1.0, processing_seconds=60.0)).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A receiver both before and after: then only a query tells a resumed task's fate.
    receiver = ["--callback-public-url", f"http://127.0.0.1:{port}"]
    receiver += ["--callback-listen", f"127.0.0.1:{port}"]
    argv = ["batch", str(_jobs(tmp, 1)), "--out-dir", str(tmp / "out"), *receiver]
    try:
        first = _cli(src, tmp, *argv, *emulator.connection())
        task_id = _first_task_line(first)
        first.kill()
        first.communicate()
        asked = _queries(emulator, task_id)
        started = time.monotonic()
        second = _cli(src, tmp, *argv, *emulator.connection())
        while _queries(emulator, task_id) == asked and time.monotonic() - started < 60:
            time.sleep(0.01)  # a measurement loop, not a test: polling the recorder is fine
        took = time.monotonic() - started
        second.kill()
        second.communicate()
        return f"first query of the resumed task {took:.2f} s after the re-run started"
    finally:
        emulator.stop()


def push(src: Path, tmp: Path) -> str:
    config = EmulatorConfig(
        time_scale=1.0, preparing_seconds=0.2, queueing_seconds=0.2, processing_seconds=1.0
    )
    emulator = ThreadedEmulator(config).start()
    try:
        child = _cli(
            src, tmp, "generate", "--prompt", "p", "--out", "a.mp4", *emulator.connection()
        )
        assert child.stdout is not None
        child.stdout.readline()  # "saved a.mp4 ...": the result is in
        got = time.time()
        child.communicate(timeout=60)
        assert emulator.emulator is not None
        [task] = emulator.emulator.tasks.values()
        return f"result {got - task.history_times[-1]:.2f} s after the task's Success"
    finally:
        emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figure", choices=("ctrl-c", "resume", "push"))
    parser.add_argument("--src", type=Path, default=Path(__file__).parents[2])
    args = parser.parse_args()
    measure = {"ctrl-c": ctrl_c, "resume": resume, "push": push}[args.figure]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{args.figure} ({args.src}): {measure(args.src.resolve(), Path(tmp))}")


if __name__ == "__main__":
    main()
