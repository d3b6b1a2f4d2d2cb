"""The receiver on the wire, byte by byte, for what senders put on a connection.

Run against both ways it is served: the aiohttp application (the standalone receiver is
that very app on aiohttp's runner) and the ASGI app on uvicorn. HTTP itself is the
servers' job; these pin down what users rely on through them: keep-alive, pipelining,
chunked bodies, ``Expect: 100-continue``, 404 for a stranger before any body, 413 over
``max_body`` and 400 for what does not parse.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
import uvicorn

from minimax_async.callbacks import CallbackServer

from ._helpers import DEADLINE, Events

SECRET = "wire-secret-0123456789abcdef"
PATH = f"/minimax/callback/{SECRET}/video"
MAX_BODY = 4096


@dataclass
class Served:
    """A running receiver and the loopback port its HTTP server listens on."""

    receiver: CallbackServer
    port: int


@contextlib.asynccontextmanager
async def _uvicorn(app: Any) -> AsyncIterator[int]:
    """Serve an ASGI app with uvicorn's h11 server (no extra parser) on a free port."""
    # Listening before uvicorn starts: early connections wait in the backlog.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", http="h11", ws="none")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        with anyio.fail_after(DEADLINE):
            await serving
        sock.close()


@pytest.fixture(params=["aiohttp", "asgi-on-uvicorn"])
async def served(request: pytest.FixtureRequest) -> AsyncIterator[Served]:
    options: dict[str, Any] = {
        "secret": SECRET,
        "confirm": False,
        "quiet_period": 600.0,
        "max_body": MAX_BODY,
    }
    if request.param == "aiohttp":
        async with CallbackServer(**options) as receiver:
            yield Served(receiver, receiver.port)
        return
    receiver = CallbackServer(
        public_url="http://127.0.0.1", path="/minimax/callback", listen=False, **options
    )
    async with receiver, _uvicorn(receiver.asgi_app()) as port:
        yield Served(receiver, port)


Connect = Callable[[int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Open raw connections to a port; all are closed when the test ends, pass or fail.

    Tests ask for it after ``served``, so these close first and the server's shutdown
    never waits on a client that is still connected.
    """
    writers: list[asyncio.StreamWriter] = []

    async def open_connection(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writers.append(writer)
        return reader, writer

    yield open_connection
    for writer in writers:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _request(body: bytes, *, path: str = PATH, method: str = "POST", headers: str = "") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    )
    return head.encode() + body


def _chunked(parts: list[bytes], *, path: str = PATH) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    return head + b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


async def _read_reply(reader: asyncio.StreamReader) -> Reply:
    with anyio.fail_after(DEADLINE):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            body = await _read_chunks(reader)
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        return Reply(status, headers, body)


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
        body += await reader.readexactly(size)
        await reader.readexactly(2)
    await reader.readuntil(b"\r\n")
    return body


async def _until_closed(reader: asyncio.StreamReader) -> None:
    """Return once the server has ended the connection (EOF or reset), else time out.

    What comes before the end is read and dropped: uvicorn frames its 400 for an
    unparsable request by closing the connection after the body.
    """
    with anyio.fail_after(DEADLINE):
        try:
            while await reader.read(65536):
                pass
        except ConnectionResetError:
            pass


def _challenge(token: str) -> bytes:
    return json.dumps({"challenge": token}).encode()


async def test_keep_alive_serves_several_requests_on_one_connection(
    served: Served, connect: Connect
) -> None:
    reader, writer = await connect(served.port)
    for token in ("one", "two", "three"):
        writer.write(_request(_challenge(token)))
        reply = await _read_reply(reader)
        assert (reply.status, reply.json()) == (200, {"challenge": token})
        assert reply.headers["content-type"].startswith("application/json")


async def test_pipelined_requests_are_answered_in_order(served: Served, connect: Connect) -> None:
    reader, writer = await connect(served.port)
    tokens = [f"t{i}" for i in range(50)]
    writer.write(b"".join(_request(_challenge(t)) for t in tokens))
    answers = [(await _read_reply(reader)).json()["challenge"] for _ in tokens]
    assert answers == tokens


async def test_a_chunked_body_is_read_whole(served: Served, connect: Connect) -> None:
    reader, writer = await connect(served.port)
    body = _challenge("chunked")
    writer.write(_chunked([body[:5], body[5:]]))
    reply = await _read_reply(reader)
    assert (reply.status, reply.json()) == (200, {"challenge": "chunked"})


async def test_a_chunked_body_over_the_cap_is_413(served: Served, connect: Connect) -> None:
    reader, writer = await connect(served.port)
    writer.write(_chunked([b" " * 1024] * 6))
    reply = await _read_reply(reader)
    assert reply.status == 413
    assert f"at most {MAX_BODY} bytes" in reply.json()["error"]


async def test_a_declared_length_over_the_cap_is_413_before_the_body(
    served: Served, connect: Connect
) -> None:
    reader, writer = await connect(served.port)
    writer.write(f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n".encode())
    reply = await _read_reply(reader)  # answered with no byte of the body sent
    assert reply.status == 413


async def test_expect_100_continue_gets_the_interim_answer_before_the_body(
    served: Served, connect: Connect
) -> None:
    reader, writer = await connect(served.port)
    body = _challenge("after-continue")
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
    writer.write(f"{head}Expect: 100-continue\r\n\r\n".encode())
    assert (await _read_reply(reader)).status == 100
    writer.write(body)
    reply = await _read_reply(reader)
    assert (reply.status, reply.json()) == (200, {"challenge": "after-continue"})


@pytest.mark.parametrize(
    "headers",
    ["Content-Length: 17\r\nExpect: 100-continue\r\n", "Content-Length: 1000000\r\n"],
    ids=["expect", "large"],
)
async def test_a_wrong_secret_is_404_before_any_body_is_sent(
    served: Served, connect: Connect, headers: str
) -> None:
    events = Events(served.receiver)
    reader, writer = await connect(served.port)
    wrong = PATH.replace(SECRET, "not-the-secret-0123456789")
    writer.write(f"POST {wrong} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    assert (await _read_reply(reader)).status == 404  # not 100, not 413
    assert events.kinds() == ["push_rejected"]


async def test_a_refused_request_leaves_the_connection_usable(
    served: Served, connect: Connect
) -> None:
    reader, writer = await connect(served.port)
    wrong = PATH.replace(SECRET, "not-the-secret-0123456789")
    writer.write(_request(_challenge("x"), path=wrong))
    assert (await _read_reply(reader)).status == 404
    writer.write(_request(b"", method="GET"))
    reply = await _read_reply(reader)
    assert (reply.status, reply.headers.get("allow")) == (405, "POST")
    writer.write(_request(b"not json"))
    assert (await _read_reply(reader)).status == 400
    writer.write(_request(_challenge("still-here")))
    assert (await _read_reply(reader)).json() == {"challenge": "still-here"}


@pytest.mark.parametrize(
    "garbage",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"POST /x HTTP/1.1\r\nBad Header Line\r\n\r\n",
    ],
    ids=["request-line", "two-lengths", "header-line"],
)
async def test_malformed_http_is_400_and_the_connection_ends(
    served: Served, connect: Connect, garbage: bytes
) -> None:
    events = Events(served.receiver)
    reader, writer = await connect(served.port)
    writer.write(garbage)
    reply = await _read_reply(reader)
    assert reply.status == 400
    await _until_closed(reader)
    assert events.kinds() == []  # refused by the server, before the receiver


async def test_closing_the_standalone_receiver_ends_idle_keep_alive_connections(
    connect: Connect,
) -> None:
    receiver = CallbackServer(secret=SECRET)
    await receiver.start()
    reader, writer = await connect(receiver.port)
    writer.write(_request(_challenge("before-close")))
    assert (await _read_reply(reader)).status == 200
    await receiver.aclose()
    await _until_closed(reader)
