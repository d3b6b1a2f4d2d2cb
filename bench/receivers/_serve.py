"""Run an aiohttp app on 127.0.0.1 and announce the bound port on stdout."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bench._procs import announce_and_wait


def serve(app: web.Application, port: int) -> None:
    asyncio.run(_serve(app, port))


async def _serve(app: web.Application, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    await announce_and_wait(site.port)
    await runner.cleanup()
