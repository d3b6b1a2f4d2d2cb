"""A CDN stand-in for the download suite: one big file, served by the emulator's code.

``python -m bench.download_server FILE`` prints ``READY <port>`` and serves FILE at
``/blob`` through :func:`minimax_async.emulator._download.serve_file` (byte ranges,
validators), plus a ``/v1/files/retrieve`` answer naming it, so the SDK's path is the
real one: retrieve, then stream to disk.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aiohttp import web

from bench._procs import announce_and_wait
from minimax_async.emulator._download import serve_file

__all__ = ("main",)


def app_for(path: Path) -> web.Application:
    size = path.stat().st_size

    async def blob(request: web.Request) -> web.StreamResponse:
        return await serve_file(request, path, "video/mp4")

    async def retrieve(request: web.Request) -> web.StreamResponse:
        url = f"http://{request.host}/blob"
        body = {"file": {"file_id": 1, "bytes": size, "download_url": url}}
        return web.json_response({**body, "base_resp": {"status_code": 0}})

    app = web.Application()
    app.router.add_get("/blob", blob)
    app.router.add_get("/v1/files/retrieve", retrieve)
    return app


async def _serve(path: Path) -> None:
    runner = web.AppRunner(app_for(path), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        await announce_and_wait(int(runner.addresses[0][1]))
    finally:
        await runner.cleanup()


def main() -> None:
    asyncio.run(_serve(Path(sys.argv[1])))


if __name__ == "__main__":
    main()
