"""Where the examples send their requests: MiniMax itself, or a local emulator.

With ``MINIMAX_API_KEY`` set, the examples talk to MiniMax (results by push when
``MINIMAX_CALLBACK_PUBLIC_URL`` names a URL MiniMax can reach, by polling otherwise).
Without it, they start the bundled emulator in-process, so every example runs as is.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from minimax_async import CallbackServer
from minimax_async.emulator import Emulator, EmulatorConfig

ASSETS = Path(__file__).parent / "assets"
OUT = Path(tempfile.gettempdir()) / "minimax-async-examples"


@asynccontextmanager
async def client_settings() -> AsyncIterator[dict[str, Any]]:
    """Keyword arguments for ``AsyncMiniMax(...)``."""
    if os.environ.get("MINIMAX_API_KEY"):
        public_url = os.environ.get("MINIMAX_CALLBACK_PUBLIC_URL")
        if public_url:
            yield {"callbacks": CallbackServer(host="0.0.0.0", port=8080, public_url=public_url)}
        else:
            yield {}
        return
    async with Emulator(config=EmulatorConfig(time_scale=0.2)) as emulator:
        print(f"(no MINIMAX_API_KEY: using the embedded emulator at {emulator.base_url})")
        yield {
            "api_key": "emulator-key",
            "base_url": emulator.base_url,
            "callbacks": CallbackServer(),  # loopback: the emulator can reach it
        }
