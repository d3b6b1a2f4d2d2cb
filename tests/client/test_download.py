"""Downloads: progress, expired links, size mismatch, atomic writes, agent videos."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import anyio
import pytest
from aiohttp import web

from minimax_async import AsyncMiniMax, DownloadError, Video, no_backoff
from minimax_async.emulator import Emulator, TaskRecord
from tests.client._servers import json_answer, scripted_server
from tests.client.conftest import KEY

DEADLINE = 30.0
RETRIEVE = "/v1/files/retrieve"


async def finished_video(client: AsyncMiniMax) -> Video:
    task = await client.video.create(prompt="a short clip", resolution="768P", duration=6)
    return await task.result(timeout=DEADLINE)


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


async def test_download_streams_with_progress(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path
) -> None:
    seen: list[tuple[int, int | None]] = []
    with anyio.fail_after(DEADLINE):
        video = await finished_video(client)
        saved = await video.download(
            tmp_path / "out" / "clip.mp4", progress=lambda d, t: seen.append((d, t))
        )
        info = await video.file()
    record: TaskRecord = emu.tasks[video.task_id]
    assert saved == tmp_path / "out" / "clip.mp4"
    assert saved.read_bytes() == record.asset.read_bytes()
    assert info.bytes == saved.stat().st_size
    assert seen[-1] == (info.bytes, info.bytes)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert leftovers(saved.parent) == []


async def test_files_download_by_id(client: AsyncMiniMax, emu: Emulator, tmp_path: Path) -> None:
    with anyio.fail_after(DEADLINE):
        video = await finished_video(client)
        path = await client.files.download(int(video.file_id), tmp_path / "by-id.mp4")
    assert path.stat().st_size == emu.files[video.file_id].bytes


async def test_links_that_stay_expired_give_up_cleanly(
    client: AsyncMiniMax, emu: Emulator, tmp_path: Path
) -> None:
    with anyio.fail_after(DEADLINE):
        video = await finished_video(client)
        emu.config.download_url_ttl = 0.0  # every link minted from now on is dead at birth
        with pytest.raises(DownloadError, match="403"):
            await video.download(tmp_path / "never.mp4")
    downloads = [r for r in emu.requests if r.path.startswith("/download/")]
    assert [r.http_status for r in downloads] == [403, 403, 403]  # first + 2 fresh links
    assert len(emu.requests_to(RETRIEVE)) == 3
    assert files_in(tmp_path) == []


async def test_expired_link_then_fresh_one(tmp_path: Path) -> None:
    """The first link answers 403, the re-retrieved one works: the file is saved."""
    payload = b"\x00\x00\x00\x18ftypmp42" + b"v" * 5000
    calls = {"n": 0}

    async def blob(request: web.Request) -> web.StreamResponse:
        if request.match_info.get("tail", "").endswith("old"):
            return web.Response(status=403, text="expired")
        return web.Response(body=payload, content_type="video/mp4")

    async def retrieve(request: web.Request) -> web.StreamResponse:
        calls["n"] += 1
        name = "old" if calls["n"] == 1 else "new"
        body = {
            "file": {"file_id": 5, "bytes": len(payload), "download_url": f"{base}/blob/{name}"},
            "base_resp": {"status_code": 0},
        }
        return web.json_response(body)

    async with scripted_server(
        {RETRIEVE: [retrieve], "/blob/old": [blob], "/blob/new": [blob]}
    ) as s:
        base = s.url
        async with AsyncMiniMax(api_key=KEY, base_url=s.url) as client:
            with anyio.fail_after(DEADLINE):
                path = await client.files.download("5", tmp_path / "v.mp4")
    assert path.read_bytes() == payload
    assert s.hits[RETRIEVE] == 2


@pytest.mark.parametrize("announced", [10, 999_999])
async def test_size_mismatch_leaves_nothing_behind(tmp_path: Path, announced: int) -> None:
    payload = b"m" * 4096

    async def blob(request: web.Request) -> web.StreamResponse:
        # No Content-Length: only the retrieve's ``bytes`` can catch the difference.
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(payload)
        await response.write_eof()
        return response

    def retrieve_body(url: str) -> dict[str, object]:
        return {
            "file": {"file_id": 7, "bytes": announced, "download_url": url},
            "base_resp": {"status_code": 0},
        }

    async with scripted_server({"/blob": [blob], RETRIEVE: []}) as s:
        s.script[RETRIEVE] = [json_answer(retrieve_body(f"{s.url}/blob"))]
        async with AsyncMiniMax(api_key=KEY, base_url=s.url) as client:
            with pytest.raises(DownloadError, match=str(announced)):
                await client.files.download(7, tmp_path / "bad.mp4")
    assert files_in(tmp_path) == []
    assert s.hits["/blob"] == 1  # a wrong size is not retried


async def test_broken_download_is_retried_from_the_start(tmp_path: Path) -> None:
    payload = b"z" * 10_000

    async def truncated(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(len(payload))})
        await response.prepare(request)
        await response.write(payload[:1000])
        assert request.transport is not None
        request.transport.abort()
        return response

    async def whole(request: web.Request) -> web.StreamResponse:
        return web.Response(body=payload)

    async with scripted_server({"/blob": [truncated, whole], RETRIEVE: []}) as s:
        body = {"file": {"file_id": 8, "bytes": len(payload), "download_url": f"{s.url}/blob"}}
        s.script[RETRIEVE] = [json_answer(body)]
        with no_backoff():
            async with AsyncMiniMax(api_key=KEY, base_url=s.url) as client:
                path = await client.files.download(8, tmp_path / "ok.mp4")
    assert path.read_bytes() == payload
    assert s.hits["/blob"] == 2
    assert leftovers(tmp_path) == []


async def test_failing_progress_callback_leaves_no_temp_file(
    client: AsyncMiniMax, tmp_path: Path
) -> None:
    def explode(done: int, total: int | None) -> None:
        raise RuntimeError("progress bar crashed")

    with anyio.fail_after(DEADLINE):
        video = await finished_video(client)
        with pytest.raises(RuntimeError, match="progress bar crashed"):
            await video.download(tmp_path / "x.mp4", progress=explode)
    assert files_in(tmp_path) == []


async def test_download_replaces_existing_file_atomically(
    client: AsyncMiniMax, tmp_path: Path
) -> None:
    target = tmp_path / "same.mp4"
    target.write_bytes(b"old contents")
    with anyio.fail_after(DEADLINE):
        video = await finished_video(client)
        await video.download(target)
    assert target.read_bytes()[4:8] == b"ftyp"
    assert leftovers(tmp_path) == []


async def test_saved_video_gets_the_usual_file_permissions(
    client: AsyncMiniMax, tmp_path: Path
) -> None:
    old = os.umask(0o022)
    try:
        task = await client.video.create(prompt="permissions")
        video = await task.result(timeout=30)
        saved = await video.download(tmp_path / "video.mp4")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o644  # not mkstemp's private 0600
    assert os.listdir(tmp_path) == ["video.mp4"]
