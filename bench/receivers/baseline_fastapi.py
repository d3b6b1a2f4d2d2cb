"""Baseline (c): a FastAPI + uvicorn receiver shaped like the sample in MiniMax's docs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException, Request

app = FastAPI()


@app.post("/{tail:path}")
async def get_callback(request: Request, tail: str) -> dict[str, Any]:
    try:
        json_data = await request.json()
        challenge = json_data.get("challenge")
        if challenge is not None:
            return {"challenge": challenge}
        return {"status": "success"}
    except Exception as exc:
        raise HTTPException(status_code=500, detail=str(exc)) from exc


class _Ready(uvicorn.Server):
    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        port = self.servers[0].sockets[0].getsockname()[1]
        sys.stdout.write(f"READY {port}\n")
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning")
    _Ready(config).run()


if __name__ == "__main__":
    main()
