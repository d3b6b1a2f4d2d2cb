"""An aiohttp backend with the callback receiver mounted as a sub-application.

``POST /videos`` creates a video and answers when MiniMax's push arrives. Run as is,
the script serves the app on a free local port (against the embedded emulator unless
MINIMAX_API_KEY is set), calls ``POST /videos`` once, prints the answer and stops.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from _backend import client_settings
from aiohttp import web

from minimax_async import AsyncMiniMax, CallbackServer, MiniMaxError, TaskFailedError

CLIENT = web.AppKey("client", AsyncMiniMax)


async def create_video(request: web.Request) -> web.Response:
    body = await request.json()
    try:
        task = await request.app[CLIENT].video.create(prompt=str(body["prompt"]))
        video = await task.result(timeout=1800)  # resolved by the push, no polling
    except TaskFailedError as exc:
        return web.json_response({"error": str(exc)}, status=422)
    except MiniMaxError as exc:
        return web.json_response({"error": str(exc)}, status=502)
    return web.json_response({"task_id": video.task_id, "file_id": video.file_id})


def create_app(*, public_url: str, settings: dict[str, Any]) -> web.Application:
    """The app; ``public_url`` is where MiniMax reaches ``/minimax`` on this server."""
    callbacks = CallbackServer(public_url=f"{public_url}/minimax", listen=False)
    callbacks.redact_access_logs()  # the secret in the URL stays out of access logs
    app = web.Application()
    app.add_subapp("/minimax", callbacks.aiohttp_app())
    app.router.add_post("/videos", create_video)

    async def client_context(app: web.Application) -> AsyncIterator[None]:
        async with AsyncMiniMax(**settings, callbacks=callbacks) as client:
            app[CLIENT] = client
            yield

    app.cleanup_ctx.append(client_context)
    return app


async def main() -> None:
    async with client_settings() as settings:
        settings.pop("callbacks", None)  # this app mounts its own receiver
        # The public URL must be known before the app is built, so bind first.
        sock = socket.socket()
        sock.bind(("127.0.0.1", int(os.environ.get("PORT", "0"))))
        port = sock.getsockname()[1]
        public_url = os.environ.get("MINIMAX_CALLBACK_PUBLIC_URL", f"http://127.0.0.1:{port}")
        runner = web.AppRunner(create_app(public_url=public_url, settings=settings))
        await runner.setup()
        await web.SockSite(runner, sock).start()
        try:
            async with aiohttp.ClientSession() as http:
                reply = await http.post(
                    f"http://127.0.0.1:{port}/videos", json={"prompt": "A red kite over dunes"}
                )
                print(reply.status, await reply.json())
        finally:
            await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
