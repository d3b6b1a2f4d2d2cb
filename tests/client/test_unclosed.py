"""A client dropped without ``aclose()`` says so in its own words."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest

from minimax_async import AsyncMiniMax
from minimax_async.emulator import Emulator
from tests.client.conftest import KEY


async def test_a_client_never_closed_warns_once_naming_asyncminimax(emu: Emulator) -> None:
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        client = AsyncMiniMax(api_key=KEY, base_url=emu.base_url, rpm=None)
        task = await client.video.create(prompt="a fox")
        await task.refresh()
        transport = weakref.ref(client._transport)
        held: list[object] = [client, task]
        del client, task
        with pytest.warns(ResourceWarning, match=r"AsyncMiniMax was not closed.*async with"):
            held.clear()  # the last references: the client is collected here
        assert transport() is None
    finally:
        loop.set_exception_handler(None)
    # aiohttp's own "Unclosed client session" names an object the user never made.
    assert [c["message"] for c in reported if "Unclosed" in c.get("message", "")] == []


async def test_a_closed_client_does_not_warn(emu: Emulator) -> None:
    async with AsyncMiniMax(api_key=KEY, base_url=emu.base_url, rpm=None) as client:
        await client.video.create(prompt="a fox")
    del client
    gc.collect()  # filterwarnings=error: any ResourceWarning here fails the test
