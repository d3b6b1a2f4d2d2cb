"""Every code block in README.md runs here, so the README cannot drift from the code.

- ``python`` blocks run as scripts against an emulator started by the test (through
  ``MINIMAX_API_KEY``/``MINIMAX_BASE_URL``), with ``examples/`` reachable from the cwd.
  A block holding ``# conftest.py`` is a pytest suite: its files are written out and
  pytest runs them.
- ``console`` blocks: the ``minimax-async ...`` part of each ``$`` line runs (install
  steps and ``nox`` are what CI itself does). ``minimax-async emulator`` is started,
  asked one question, and stopped with Ctrl-C.
- ``text`` blocks are output or diagrams, not code.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import anyio
import pytest

from minimax_async.emulator import Emulator, EmulatorConfig

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
DEADLINE = 120


def blocks(kind: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README.read_text()) if lang == kind]


def block_id(body: str) -> str:
    first = next(line for line in body.splitlines() if line.strip())
    return first.strip()[:50]


def test_readme_has_only_known_block_kinds() -> None:
    kinds = {lang for lang, _ in FENCE.findall(README.read_text())}
    assert kinds <= {"python", "console", "text"}, kinds


def test_readme_has_no_unfilled_placeholders() -> None:
    text = README.read_text()
    assert not re.search(r"^[A-Z_]{8,}$", text, re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MINIMAX_API_KEY", "MINIMAX_BASE_URL", "MINIMAX_REGION"}
    }
    env.update(extra)
    return env


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    return tmp_path


@pytest.mark.parametrize("body", blocks("python"), ids=block_id)
async def test_python_block_runs(body: str, workdir: Path) -> None:
    config = EmulatorConfig(time_scale=0.02, seed=1)
    async with Emulator(config=config) as emu:
        port = _free_port()
        env = _env(
            MINIMAX_API_KEY="readme-key",
            MINIMAX_BASE_URL=emu.base_url,
            PORT=str(port),
            MINIMAX_CALLBACK_PUBLIC_URL=f"http://127.0.0.1:{port}",
            MINIMAX_CALLBACK_SECRET="readme-secret-0123456789abcdef",
            PYTHONWARNINGS="error::DeprecationWarning",
        )
        if "# conftest.py" in body:
            command = _write_pytest_suite(body, workdir)
        else:
            (workdir / "block.py").write_text(body)
            command = [sys.executable, "block.py"]
        with anyio.fail_after(DEADLINE):
            done = await anyio.run_process(command, cwd=workdir, env=env, check=False)
    output = done.stdout.decode() + done.stderr.decode()
    assert done.returncode == 0, output
    assert "Traceback" not in output
    if "# conftest.py" in body:
        assert re.search(r"\b\d+ passed\b", output), output
        assert "skipped" not in output, output


def _write_pytest_suite(body: str, workdir: Path) -> list[str]:
    parts = re.split(r"^# (\S+\.py)\n", body, flags=re.MULTILINE)
    files = dict(zip(parts[1::2], parts[2::2], strict=True))
    assert "conftest.py" in files, files.keys()
    for name, text in files.items():
        (workdir / name).write_text(text)
    # A fresh project: the plugin alone must be enough (no anyio_mode, no markers).
    (workdir / "pytest.ini").write_text("[pytest]\n")
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *sorted(files)]


def console_commands() -> list[str]:
    commands = []
    for body in blocks("console"):
        for line in body.splitlines():
            if not line.startswith("$ "):
                continue
            for part in line[2:].split("&&"):
                if part.strip().startswith("minimax-async"):
                    commands.append(part.strip())
    return commands


def test_the_readme_names_its_two_setup_commands() -> None:
    lines = [line for body in blocks("console") for line in body.splitlines()]
    main = "pip install '.[cli]'"
    assert any(main in line and "minimax-async generate" in line for line in lines)
    assert any("pip install nox && nox" in line for line in lines)


@pytest.mark.parametrize("command", console_commands())
def test_console_command_runs(command: str, workdir: Path) -> None:
    argv = shlex.split(command)
    exe = [sys.executable, "-m", "minimax_async", *argv[1:]]
    if argv[1] == "emulator":
        _run_emulator_briefly(exe)
        return
    # The embedded emulator keeps its state in a per-user cache: this test's own.
    env = _env(XDG_CACHE_HOME=str(workdir / "cache"))
    done = subprocess.run(
        exe, cwd=workdir, env=env, capture_output=True, text=True, timeout=DEADLINE
    )
    assert done.returncode == 0, done.stderr
    if "--out" in argv:
        out = workdir / argv[argv.index("--out") + 1]
        assert out.read_bytes()[4:8] == b"ftyp"  # an ISO-BMFF (MP4) file


def _run_emulator_briefly(exe: list[str]) -> None:
    exe = [("0" if prev == "--port" else arg) for prev, arg in _pairs(exe)]
    with subprocess.Popen(exe, stdout=subprocess.PIPE, text=True, env=_env()) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:"), url
            answer = anyio.run(_probe, url)
            assert answer == 1004  # no key: the real API's "not authorized"
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def _pairs(items: list[str]) -> Iterator[tuple[str, str]]:
    return zip(["", *items[:-1]], items, strict=True)


async def _probe(url: str) -> int:
    async with aiohttp.ClientSession() as http:
        reply = await http.get(f"{url}/v1/query/video_generation", params={"task_id": "1"})
        body = await reply.json()
    return int(body["base_resp"]["status_code"])
