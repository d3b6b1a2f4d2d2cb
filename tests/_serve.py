"""Serve a small aiohttp app on an ephemeral loopback port, for tests that script a peer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

__all__ = ("serve_app",)


@asynccontextmanager
async def serve_app(app: web.Application, *, shutdown_timeout: float) -> AsyncIterator[str]:
    """Run ``app`` on 127.0.0.1 with a free port; yields its ``http://host:port`` base URL."""
    runner = web.AppRunner(app, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
