"""Baseline (a): a bare aiohttp handler on the default event loop with the json module.

It parses the body and answers, as the MiniMax sample does: echo a challenge, else
``{"status": "success"}``. No routing to tasks, no validation.
"""

from __future__ import annotations

import argparse
import json

from aiohttp import web

from bench.receivers._serve import serve


async def handle(request: web.Request) -> web.Response:
    body = json.loads(await request.read())
    if "challenge" in body:
        return web.json_response({"challenge": body["challenge"]})
    return web.json_response({"status": "success"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    serve(app, args.port)


if __name__ == "__main__":
    main()
