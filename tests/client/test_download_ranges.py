"""The emulator serves its download links as a CDN does: byte ranges and If-Range."""

from __future__ import annotations

import aiohttp
import anyio

from minimax_async import AsyncMiniMax
from minimax_async.emulator import Emulator
from tests.client.test_download import DEADLINE, finished_video


async def download_link(client: AsyncMiniMax) -> str:
    with anyio.fail_after(DEADLINE):
        video = await finished_video(client)
        info = await video.file()
    assert info.download_url is not None
    return info.download_url


async def test_a_range_is_answered_with_206_and_content_range(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    url = await download_link(client)
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as whole:
            body = await whole.read()
            etag = whole.headers["ETag"]
            assert whole.status == 200
            assert whole.headers["Accept-Ranges"] == "bytes"
        async with http.get(url, headers={"Range": "bytes=100-", "If-Range": etag}) as part:
            assert part.status == 206
            assert part.headers["Content-Range"] == f"bytes 100-{len(body) - 1}/{len(body)}"
            assert await part.read() == body[100:]


async def test_a_stale_if_range_gets_the_whole_file(client: AsyncMiniMax, emu: Emulator) -> None:
    url = await download_link(client)
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as whole:
            body = await whole.read()
        for stale in ('"0-0"', 'W/"0-0"'):
            headers = {"Range": "bytes=100-", "If-Range": stale}
            async with http.get(url, headers=headers) as answer:
                assert answer.status == 200  # not a range of some other version
                assert await answer.read() == body


async def test_a_range_past_the_end_is_416(client: AsyncMiniMax, emu: Emulator) -> None:
    url = await download_link(client)
    async with (
        aiohttp.ClientSession() as http,
        http.get(url, headers={"Range": "bytes=999999999-"}) as answer,
    ):
        assert answer.status == 416
        assert answer.headers["Content-Range"].startswith("bytes */")
