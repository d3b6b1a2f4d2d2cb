"""The emulator owns its rules: none of its modules imports the SDK's internals,
and V1 needs nothing but aiohttp and the standard library."""

from __future__ import annotations

import ast
from pathlib import Path

import minimax_async.emulator

EMULATOR = Path(minimax_async.emulator.__file__).parent
# The pytest plugin is the bridge to the SDK (its minimax_client fixture), not the
# emulator: it is the one module allowed to import both.
MODULES = sorted(p for p in EMULATOR.glob("*.py") if p.name != "pytest_plugin.py")
ALLOWED_THIRD_PARTY = {"aiohttp"}
# The V2 media reader's audio durations (the `emulator` extra), imported lazily there.
ALLOWED_IN = {"_probe.py": {"mutagen"}}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_emulator_module_imports_the_sdk() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in MODULES
        for name in _imports(path)
        if name.startswith("minimax_async") and not name.startswith("minimax_async.emulator")
    }
    assert not offenders, sorted(offenders)


def test_third_party_imports_are_only_aiohttp() -> None:
    import sys

    stdlib = sys.stdlib_module_names
    found = {
        f"{path.name}: {name}"
        for path in MODULES
        for name in _imports(path)
        if name.split(".")[0] not in stdlib
        and name.split(".")[0] not in ALLOWED_THIRD_PARTY | ALLOWED_IN.get(path.name, set())
        and not name.startswith("minimax_async.emulator")
        and name != "__future__"
    }
    assert not found, sorted(found)
