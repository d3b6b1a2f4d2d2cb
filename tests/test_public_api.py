"""One public surface per package: ``__all__`` is complete, sorted by block, and honest."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import minimax_async

PUBLIC_PACKAGES = (
    "minimax_async",
    "minimax_async.models",
    "minimax_async.callbacks",
    "minimax_async.emulator",
)


def all_modules() -> list[str]:
    names = ["minimax_async"]
    for info in pkgutil.walk_packages(minimax_async.__path__, "minimax_async."):
        names.append(info.name)
    return names


@pytest.mark.parametrize("name", all_modules())
def test_every_module_declares_all(name: str) -> None:
    if name.endswith("__main__"):
        return
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, tuple), f"{name} has no __all__ tuple"
    missing = [item for item in exported if not hasattr(module, item)]
    assert missing == [], f"{name}.__all__ names what it lacks: {missing}"


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_public_packages_export_every_public_class_and_function(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    public = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", "").startswith("minimax_async")
    }
    assert public <= set(module.__all__), sorted(public - set(module.__all__))


def test_the_root_exports_the_everyday_names() -> None:
    for name in (
        "AsyncMiniMax",
        "CallbackServer",
        "VideoTask",
        "VideoAgentTask",
        "Video",
        "AgentVideo",
        "TaskStatus",
        "CameraMove",
        "camera",
        "MiniMaxError",
        "AmbiguousCreateError",
        "TaskFailedError",
    ):
        assert name in minimax_async.__all__
