"""Developer tasks. ``nox`` alone runs lint, typing and tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["lint", "typing", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
DEV = ".[dev]"


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict over the package, the tests, the examples and this file.

    The bench extra is installed too, so the benchmarks are checked against their imports.
    """
    session.install("-e", ".[dev,bench]")
    session.run("mypy", "minimax_async", "tests", "examples", "bench", "noxfile.py")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, against the in-process emulator."""
    session.install("-e", DEV)
    session.run("pytest", *session.posargs)


@nox.session(python="3.10")
def oldest(session: nox.Session) -> None:
    """The test suite on the oldest Python pyproject supports, same install as `tests`.

    What differs by version is what this run is for: on 3.10 asyncio.TimeoutError is not
    the builtin TimeoutError, and the standard library lacks 3.11's additions.
    """
    session.install("-e", DEV)
    session.run("pytest", *session.posargs)


@nox.session
def examples(session: nox.Session) -> None:
    """Run every script in examples/ against the emulator."""
    session.install("-e", DEV)
    for script in sorted((ROOT / "examples").glob("*.py")):
        session.log(f"running {script.name}")
        session.run("python", str(script), env={"PYTHONUNBUFFERED": "1"})


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks into bench/results/; ``nox -s bench -- --full`` for the long run.

    wrk (a C load generator) and curl (the download suite's baseline) come from Debian;
    they are installed here when missing and apt-get is usable, so the loader is never
    the Python process being measured.
    """
    missing = [tool for tool in ("wrk", "curl") if shutil.which(tool) is None]
    if missing:
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            session.error(f"missing: install the Debian package(s) {' '.join(missing)}")
        session.run("apt-get", "update", "-q", external=True)
        session.run("apt-get", "install", "-y", "-q", *missing, external=True)
    session.install("-e", ".[dev,bench]")
    session.run("python", "-m", "bench", *session.posargs, env={"PYTHONPATH": os.fspath(ROOT)})
