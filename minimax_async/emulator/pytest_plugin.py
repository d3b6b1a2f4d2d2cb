"""Pytest fixtures running the MiniMax emulator; opt in from your own suite with::

    # conftest.py
    pytest_plugins = ["minimax_async.emulator.pytest_plugin"]

Then write ``async def`` tests that ask for:

- ``minimax_client``: an :class:`~minimax_async.AsyncMiniMax` on the emulator, with the
  rate limit off and fast polling, closed after the test;
- ``minimax_emulator``: the running :class:`Emulator` (fast timings), for its knobs and
  its records (``requests``, ``pushes``, ``tasks``);
- ``minimax_api_key``: the key the emulator accepts.

Override ``minimax_emulator_config`` in your conftest to change the emulator's knobs.

No ``anyio_mode = "auto"`` or marker is needed: these fixtures depend on anyio's
``anyio_backend`` fixture (anyio's pytest plugin comes with anyio, a dependency of this
package), and a test that uses them is run on that backend. aiohttp only runs on asyncio,
which is what ``anyio_backend`` gives unless your suite overrides it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from minimax_async._client import AsyncMiniMax
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._server import Emulator

__all__ = (
    "minimax_api_key",
    "minimax_client",
    "minimax_emulator",
    "minimax_emulator_config",
)

_TEST_KEY = "emulator-test-key"
#: Seconds between polls: the fast emulator finishes a task in about 40 ms.
_FAST_POLL = 0.02


@pytest.fixture
def minimax_api_key() -> str:
    """An API key the default emulator fixture accepts."""
    return _TEST_KEY


@pytest.fixture
def minimax_emulator_config(minimax_api_key: str) -> EmulatorConfig:
    """Knobs for ``minimax_emulator``: about 40 ms end to end, seeded, one accepted key."""
    return EmulatorConfig(time_scale=0.01, seed=20260, api_keys=frozenset({minimax_api_key}))


@pytest.fixture
async def minimax_emulator(
    minimax_emulator_config: EmulatorConfig, anyio_backend: object
) -> AsyncIterator[Emulator]:
    """A running emulator on an ephemeral loopback port, closed after the test."""
    async with Emulator(config=minimax_emulator_config) as emulator:
        yield emulator


@pytest.fixture
async def minimax_client(
    minimax_emulator: Emulator, minimax_api_key: str, anyio_backend: object
) -> AsyncIterator[AsyncMiniMax]:
    """A client on ``minimax_emulator``: no rate limit, fast polling, closed afterwards."""
    async with AsyncMiniMax(
        api_key=minimax_api_key,
        base_url=minimax_emulator.base_url,
        rpm=None,
        poll_interval=_FAST_POLL,
    ) as client:
        yield client
