from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from minimax_async.callbacks import CallbackServer


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def server() -> AsyncIterator[CallbackServer]:
    """A running receiver with confirmation off and a watchdog too slow to interfere."""
    async with CallbackServer(confirm=False, quiet_period=600.0) as callbacks:
        yield callbacks
