"""Pytest fixtures running the MiniMax emulator; opt in from your own suite with::

    # conftest.py
    pytest_plugins = ["minimax_async.emulator.pytest_plugin"]

Then ask for ``minimax_emulator`` (a running :class:`Emulator` with fast timings) and,
to change its knobs, override ``minimax_emulator_config`` in your conftest. The fixtures
are async, so the tests using them need anyio's pytest plugin (``anyio_mode = "auto"``
or ``@pytest.mark.anyio``) on the asyncio backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._server import Emulator

__all__ = ("minimax_api_key", "minimax_emulator", "minimax_emulator_config")

_TEST_KEY = "emulator-test-key"


@pytest.fixture
def minimax_api_key() -> str:
    """An API key the default emulator fixture accepts."""
    return _TEST_KEY


@pytest.fixture
def minimax_emulator_config(minimax_api_key: str) -> EmulatorConfig:
    """Knobs for ``minimax_emulator``: about 40 ms end to end, seeded, one accepted key."""
    return EmulatorConfig(time_scale=0.01, seed=20260, api_keys=frozenset({minimax_api_key}))


@pytest.fixture
async def minimax_emulator(minimax_emulator_config: EmulatorConfig) -> AsyncIterator[Emulator]:
    """A running emulator on an ephemeral loopback port, closed after the test."""
    async with Emulator(config=minimax_emulator_config) as emulator:
        yield emulator
