"""The emulator's own tests use its pytest plugin's fixtures, as a user's suite would.

(``pytest_plugins`` may only be set in the root conftest, so the fixtures are imported.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from minimax_async.emulator import Emulator
from minimax_async.emulator.pytest_plugin import (
    minimax_api_key,
    minimax_emulator,
    minimax_emulator_config,
)
from tests.emulator._helpers import Caller, Receiver, caller, receiver
from tests.emulator._v2 import V2, v2_caller

__all__ = (
    "api",
    "hook",
    "minimax_api_key",
    "minimax_emulator",
    "minimax_emulator_config",
    "v2",
)


@pytest.fixture
async def api(minimax_emulator: Emulator, minimax_api_key: str) -> AsyncIterator[Caller]:
    """A client session on the running emulator, with the accepted key."""
    async with caller(minimax_emulator.base_url, minimax_api_key) as session:
        yield session


@pytest.fixture
async def hook() -> AsyncIterator[Receiver]:
    """A real callback receiver that echoes challenges and records pushes."""
    async with receiver() as recv:
        yield recv


@pytest.fixture
async def v2(minimax_emulator: Emulator, minimax_api_key: str) -> AsyncIterator[V2]:
    """A V2 caller on the running emulator, with the accepted key."""
    async with v2_caller(minimax_emulator.base_url, minimax_api_key) as session:
        yield session
