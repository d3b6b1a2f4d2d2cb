"""Fixtures for the client tests: a fast emulator and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from minimax_async import AsyncMiniMax
from minimax_async.emulator import Emulator, EmulatorConfig

KEY = "client-test-key-0123456789"
FAST_POLL = 0.02

ClientFactory = Callable[..., AsyncMiniMax]


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """About 40 ms from create to result; seeded; one accepted key."""
    return EmulatorConfig(time_scale=0.01, seed=7, api_keys=frozenset({KEY}))


@pytest.fixture
async def emu(emulator_config: EmulatorConfig) -> AsyncIterator[Emulator]:
    async with Emulator(config=emulator_config) as emulator:
        yield emulator


@pytest.fixture
async def make_client(emu: Emulator) -> AsyncIterator[ClientFactory]:
    """Build clients on the emulator (closed after the test); options override defaults."""
    made: list[AsyncMiniMax] = []

    def factory(**options: Any) -> AsyncMiniMax:
        settings: dict[str, Any] = {
            "api_key": KEY,
            "base_url": emu.base_url,
            "poll_interval": FAST_POLL,
            "rpm": None,
        }
        settings.update(options)
        client = AsyncMiniMax(**settings)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


@pytest.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[AsyncMiniMax]:
    async with make_client() as opened:
        yield opened
