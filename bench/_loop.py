"""Run a benchmark coroutine on uvloop when the ``speed`` extra is installed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

__all__ = ("loop_name", "run")

T = TypeVar("T")


def loop_name() -> str:
    """ "uvloop" if it is importable (and so used), else "asyncio"."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run(func: Callable[[], Awaitable[T]]) -> T:
    """``anyio.run(func)`` on the fastest asyncio loop available."""
    options = {"use_uvloop": loop_name() == "uvloop"}
    return anyio.run(func, backend="asyncio", backend_options=options)
