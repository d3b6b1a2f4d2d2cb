"""The emulator serves its download links as a CDN does: byte ranges and If-Range."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import anyio
import pytest
from aiohttp import web

from minimax_async import AsyncMiniMax, DownloadError, no_backoff
from minimax_async.emulator import Emulator
from minimax_async.emulator._download import serve_file
from tests.client._servers import Handler, Scripted, json_answer, scripted_server
from tests.client.conftest import KEY
from tests.client.test_download import (
    DEADLINE,
    RETRIEVE,
    files_in,
    finished_video,
    leftovers,
)


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


# --- resuming a cut download --------------------------------------------------------

SIZE = 3 * 1024 * 1024 + 17  # several write batches, not a round number
CUT = 1024 * 1024 + 5


def video_file(directory: Path, seed: bytes) -> Path:
    path = directory / "served.mp4"
    path.write_bytes((seed * (SIZE // len(seed) + 1))[:SIZE])
    return path


def etag_of(served: Path) -> str:
    """The strong ETag serve_file (aiohttp's FileResponse) gives this file."""
    st = served.stat()
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


def cut_after(served: Path, cut: int) -> Handler:
    """Send the validators a CDN sends and the first ``cut`` bytes, then drop the line."""

    data, etag = served.read_bytes(), etag_of(served)

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Length": str(len(data)), "Accept-Ranges": "bytes", "ETag": etag}
        )
        await response.prepare(request)
        await response.write(data[:cut])
        await response.drain()
        assert request.transport is not None
        request.transport.abort()
        return response

    return handler


def like_a_cdn(served: Path) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await serve_file(request, served, "video/mp4")

    return handler


async def download(script: dict[str, list[Handler]], dest: Path, size: int = SIZE) -> Scripted:
    async with scripted_server({**script, RETRIEVE: []}) as s:
        body = {"file": {"file_id": 9, "bytes": size, "download_url": f"{s.url}/blob"}}
        s.script[RETRIEVE] = [json_answer(body)]
        with no_backoff(), anyio.fail_after(DEADLINE):
            async with AsyncMiniMax(api_key=KEY, base_url=s.url) as client:
                await client.files.download(9, dest)
    return s


def record_ranges(handler: Handler, seen: list[str | None]) -> Handler:
    async def recording(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Range"))
        return await handler(request)

    return recording


async def test_a_cut_download_resumes_where_it_stopped(tmp_path: Path) -> None:
    served = video_file(tmp_path, b"resumable-")
    ranges: list[str | None] = []
    handlers = [cut_after(served, CUT), like_a_cdn(served)]
    script = {"/blob": [record_ranges(handler, ranges) for handler in handlers]}
    dest = tmp_path / "out" / "video.mp4"
    await download(script, dest)
    assert dest.read_bytes() == served.read_bytes()
    assert ranges[0] is None
    assert ranges[1] is not None
    resumed_at = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= CUT  # only what never arrived was asked for again
    assert leftovers(dest.parent) == []


async def test_a_changed_object_is_fetched_whole_not_spliced(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = video_file(tmp_path / "a", b"old-")
    second = video_file(tmp_path / "b", b"NEW!")
    script = {"/blob": [cut_after(first, CUT), like_a_cdn(second)]}
    dest = tmp_path / "video.mp4"
    await download(script, dest)
    assert dest.read_bytes() == second.read_bytes()  # If-Range failed: a 200, whole


async def test_a_server_that_ignores_range_is_read_from_the_start(tmp_path: Path) -> None:
    served = video_file(tmp_path, b"no-ranges-")
    data = served.read_bytes()

    async def whole(request: web.Request) -> web.StreamResponse:
        return web.Response(body=data)  # 200 whatever the Range said

    dest = tmp_path / "video.mp4"
    s = await download({"/blob": [cut_after(served, CUT), whole]}, dest)
    assert dest.read_bytes() == served.read_bytes()
    assert s.hits["/blob"] == 2


async def test_a_range_from_the_wrong_offset_is_refused(tmp_path: Path) -> None:
    served = video_file(tmp_path, b"offset-")
    data = served.read_bytes()

    async def wrong(request: web.Request) -> web.StreamResponse:
        return web.Response(
            status=206,
            body=data[10:],
            headers={"Content-Range": f"bytes 10-{len(data) - 1}/{len(data)}"},
        )

    dest = tmp_path / "out" / "video.mp4"
    with pytest.raises(DownloadError, match="sent from 10"):
        await download({"/blob": [cut_after(served, CUT), wrong]}, dest)
    assert files_in(dest.parent) == []


async def test_many_cuts_still_finish_when_each_brings_bytes(tmp_path: Path) -> None:
    """Four cuts, more than max_retries=2: progress restores the retry budget."""
    served = video_file(tmp_path, b"flaky-")
    data, etag = served.read_bytes(), etag_of(served)
    step = SIZE // 5

    async def ranged_cut(request: web.Request) -> web.StreamResponse:
        start = int(request.headers.get("Range", "bytes=0-").removeprefix("bytes=").rstrip("-"))
        response = web.StreamResponse(
            status=206 if start else 200,
            headers={
                "Content-Length": str(len(data) - start),
                "Accept-Ranges": "bytes",
                "ETag": etag,
                "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}",
            },
        )
        await response.prepare(request)
        await response.write(data[start : start + step])
        await response.drain()
        assert request.transport is not None
        request.transport.abort()
        return response

    dest = tmp_path / "video.mp4"
    s = await download({"/blob": [ranged_cut] * 4 + [like_a_cdn(served)]}, dest)
    assert dest.read_bytes() == data
    assert s.hits["/blob"] >= 5
