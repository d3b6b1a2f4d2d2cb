"""A FastAPI backend: a request creates a video and answers when MiniMax's push arrives.

The callback receiver is mounted into the same app at ``/minimax``, so one public URL
serves both your API and MiniMax's pushes. Run as is, the script serves the app with
uvicorn on a free local port (against the embedded emulator unless MINIMAX_API_KEY is
set), calls ``POST /videos`` once as a user would, prints the answer and stops.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import uvicorn
from _backend import client_settings
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from minimax_async import AsyncMiniMax, CallbackServer, MiniMaxError, TaskFailedError


class VideoRequest(BaseModel):
    prompt: str
    duration: int = 6


def create_app(
    *, public_url: str, settings: dict[str, Any], ready: asyncio.Event | None = None
) -> FastAPI:
    """The app; ``public_url`` is where MiniMax reaches ``/minimax`` on this server."""
    callbacks = CallbackServer(public_url=f"{public_url}/minimax", listen=False)
    callbacks.redact_access_logs()  # the secret in the URL stays out of access logs
    settings = {**settings, "callbacks": callbacks}
    state: dict[str, AsyncMiniMax] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncMiniMax(**settings) as client:  # also starts the receiver
            state["client"] = client
            if ready is not None:
                ready.set()
            yield

    app = FastAPI(lifespan=lifespan)
    app.mount("/minimax", callbacks.asgi_app())

    @app.post("/videos")
    async def create_video(body: VideoRequest) -> dict[str, Any]:
        client = state["client"]
        try:
            task = await client.video.create(prompt=body.prompt, duration=body.duration)
            video = await task.result(timeout=1800)  # resolved by the push, no polling
        except TaskFailedError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        except MiniMaxError as exc:
            raise HTTPException(status_code=502, detail=str(exc)) from exc
        return {
            "task_id": video.task_id,
            "file_id": video.file_id,
            "size": [video.width, video.height],
        }

    return app


async def main() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", int(os.environ.get("PORT", "0"))))
    sock.listen(128)
    port = sock.getsockname()[1]
    public_url = os.environ.get("MINIMAX_CALLBACK_PUBLIC_URL", f"http://127.0.0.1:{port}")
    async with client_settings() as settings:
        settings.pop("callbacks", None)  # this app mounts its own receiver
        ready = asyncio.Event()
        app = create_app(public_url=public_url, settings=settings, ready=ready)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        await ready.wait()
        async with aiohttp.ClientSession() as http:
            reply = await http.post(
                f"http://127.0.0.1:{port}/videos", json={"prompt": "A red kite over dunes"}
            )
            print(reply.status, await reply.json())
        server.should_exit = True
        await serving


if __name__ == "__main__":
    asyncio.run(main())
