"""The receiver's routes on the standalone server: the secret, the kind, the method."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from minimax_async.callbacks import CallbackServer

SECRET = "routing-secret-0123456789abc"


@pytest.fixture
async def base() -> AsyncIterator[str]:
    async with CallbackServer(secret=SECRET) as server:
        yield server.callback_url("video").removesuffix(f"/{SECRET}/video")


@pytest.mark.parametrize(
    ("method", "suffix", "status"),
    [
        ("POST", f"/{SECRET}/video", 200),
        ("POST", f"/{SECRET}/agent", 200),
        ("POST", f"/{SECRET}", 200),  # no kind: a video task
        ("POST", f"/{SECRET}/movie", 404),
        ("POST", f"/{SECRET}/video/extra", 404),
        ("POST", "/wrong-secret/video", 404),
        ("POST", "/", 404),
        ("POST", "", 404),
        ("GET", f"/{SECRET}/video", 405),
    ],
)
async def test_routes(base: str, method: str, suffix: str, status: int) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, base + suffix, json={"challenge": "c"}) as reply,
    ):
        assert reply.status == status
        if status == 200:
            assert await reply.json() == {"challenge": "c"}


async def test_other_paths_on_the_port_are_404(base: str) -> None:
    root = base.rsplit("/minimax", 1)[0]
    async with aiohttp.ClientSession() as http, http.post(root + "/other", json={}) as reply:
        assert reply.status == 404
