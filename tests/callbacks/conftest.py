from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from minimax_async.callbacks import CallbackServer


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def server(receiver_http: Any) -> AsyncIterator[CallbackServer]:
    """A running receiver with confirmation off and a watchdog too slow to interfere."""
    async with CallbackServer(confirm=False, quiet_period=600.0, http=receiver_http) as callbacks:
        yield callbacks
