"""Baseline (b): the same bare handler on uvloop with orjson: the fastest plain receiver."""

from __future__ import annotations

import argparse

import orjson
import uvloop
from aiohttp import web

from bench.receivers._serve import serve

_OK = orjson.dumps({"status": "success"})


async def handle(request: web.Request) -> web.Response:
    body = orjson.loads(await request.read())
    if "challenge" in body:
        payload = orjson.dumps({"challenge": body["challenge"]})
        return web.Response(body=payload, content_type="application/json")
    return web.Response(body=_OK, content_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    uvloop.install()
    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    serve(app, args.port)


if __name__ == "__main__":
    main()
