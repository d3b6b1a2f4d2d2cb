"""A stand-in for MiniMax that answers instantly with fixed, valid bodies.

For the client-overhead suite: the emulator does real work per create (rules, a task
record, a lifecycle), so against it both clients mostly measure the emulator, and its
pace swings between runs. This server answers a create with a fresh task id and a
query with a finished task, from pre-encoded bytes on httptools' parser (a bench-only
dependency: a server that does less per request than the clients measured), so the
client process is the bottleneck and its own cost shows in full.

``python -m bench.canned_api --port 0`` prints ``READY <port>``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from typing import cast

import httptools

from bench._procs import announce_and_wait

__all__ = ("main",)

_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
_QUERY = json.dumps(
    {
        "task_id": "106916112212032",
        "status": "Success",
        "file_id": "205258526306433",
        "video_width": 1366,
        "video_height": 768,
        "base_resp": {"status_code": 0, "status_msg": "success"},
    }
).encode()
_QUERY_REPLY = _HEAD % len(_QUERY) + _QUERY
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
_ids = itertools.count(300_000_000_000_000)


def _create_reply() -> bytes:
    body = b'{"task_id":"%d","base_resp":{"status_code":0,"status_msg":"success"}}' % next(_ids)
    return _HEAD % len(body) + body


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            if self._transport is not None:
                self._transport.close()

    def on_message_begin(self) -> None:
        self._url = b""

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_message_complete(self) -> None:
        path = self._url.partition(b"?")[0]
        if path == b"/v1/video_generation":
            reply = _create_reply()
        elif path == b"/v1/query/video_generation":
            reply = _QUERY_REPLY
        else:
            reply = _NOT_FOUND
        if self._transport is not None:
            self._transport.write(reply)


async def _serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, "127.0.0.1", port, backlog=1024)
    async with server:
        await announce_and_wait(server.sockets[0].getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(_serve(args.port))


if __name__ == "__main__":
    main()
