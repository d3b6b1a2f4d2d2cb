"""Package exports imported on first use (PEP 562), so importing a package is cheap.

A package lists where each public name lives; ``import minimax_async`` then costs
almost nothing, and ``from minimax_async import AsyncMiniMax`` loads the client
without the receiver's HTTP server, the journals or Redis. Type checkers read the
names from the package's ``if TYPE_CHECKING:`` imports instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

__all__ = ("LazyExports",)


class LazyExports:
    """The ``__getattr__`` and ``__dir__`` of a package whose names load on first use."""

    def __init__(self, package: str, namespace: dict[str, Any], where: Mapping[str, str]):
        self._package = package
        self._namespace = namespace
        self._where = dict(where)

    def load(self, name: str) -> Any:
        module = self._where.get(name)
        if module is None:
            raise AttributeError(f"module {self._package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        self._namespace[name] = value  # later lookups skip __getattr__
        return value

    def names(self) -> list[str]:
        return sorted(set(self._namespace) | set(self._where))
