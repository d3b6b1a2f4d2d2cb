"""The standalone receiver on the wire: byte-exact HTTP/1.1, for both implementations.

The aiohttp server is the reference; the httptools protocol has to behave like it (or
better, never worse) for everything a sender can put on a connection: keep-alive,
pipelining, chunked bodies, Expect: 100-continue, HTTP/1.0, malformed input, a huge
head, and shutdown with connections still open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import anyio
import pytest

from minimax_async.callbacks import CallbackServer
from minimax_async.callbacks._httptools import HttptoolsServer, _Connection

from ._helpers import DEADLINE, Events

SECRET = "wire-secret-0123456789abcdef"

try:
    import uvloop  # noqa: F401
except ImportError:  # pragma: no cover - the dev extra installs it
    LOOPS: list[Any] = ["asyncio"]
else:
    LOOPS = ["asyncio", ("asyncio", {"use_uvloop": True})]


@pytest.fixture(params=LOOPS, ids=lambda loop: "uvloop" if isinstance(loop, tuple) else loop)
def anyio_backend(request: pytest.FixtureRequest) -> Any:
    """Both event loops: uvloop's transports differ from asyncio's in small ways (its
    TCP transport is not an asyncio.Transport subclass) and the speed extra uses it."""
    return request.param


PATH = f"/minimax/callback/{SECRET}/video"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@pytest.fixture
async def server(receiver_http: Any) -> AsyncIterator[CallbackServer]:
    async with CallbackServer(
        secret=SECRET, confirm=False, quiet_period=600.0, max_body=4096, http=receiver_http
    ) as running:
        yield running


Connect = Callable[[int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Open raw connections to a port; all are closed when the test ends, pass or fail.

    Tests ask for it after ``server``, so these close first and the server's shutdown
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


def _request(
    body: bytes,
    *,
    path: str = PATH,
    method: str = "POST",
    version: str = "1.1",
    headers: str = "",
) -> bytes:
    head = (
        f"{method} {path} HTTP/{version}\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    )
    return head.encode() + body


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
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return Reply(status, headers, body)


async def _closed(reader: asyncio.StreamReader) -> bool:
    """True once the server has ended the connection (EOF or reset)."""
    with anyio.fail_after(DEADLINE):
        try:
            return await reader.read() == b""
        except ConnectionResetError:
            return True


def _challenge(token: str) -> bytes:
    return json.dumps({"challenge": token}).encode()


async def test_keep_alive_serves_several_requests_on_one_connection(
    server: CallbackServer,
    connect: Connect,
) -> None:
    reader, writer = await connect(server.port)
    for token in ("one", "two", "three"):
        writer.write(_request(_challenge(token)))
        reply = await _read_reply(reader)
        assert (reply.status, reply.json()) == (200, {"challenge": token})
        assert reply.headers["content-type"].startswith("application/json")


async def test_pipelined_requests_are_answered_in_order(
    server: CallbackServer, connect: Connect
) -> None:
    reader, writer = await connect(server.port)
    tokens = [f"t{i}" for i in range(50)]
    writer.write(b"".join(_request(_challenge(t)) for t in tokens))
    answers = [(await _read_reply(reader)).json()["challenge"] for _ in tokens]
    assert answers == tokens


async def test_many_unread_pipelined_replies_are_all_delivered(
    server: CallbackServer, connect: Connect
) -> None:
    # The client writes far more than the server's write buffer before reading a byte:
    # reading pauses and resumes, and no reply is lost or reordered.
    reader, writer = await connect(server.port)
    count = 3000
    payload = b"".join(_request(_challenge(f"c{i}")) for i in range(count))
    writer.write(payload)
    drained = asyncio.ensure_future(writer.drain())
    answers = [(await _read_reply(reader)).json()["challenge"] for _ in range(count)]
    await drained
    assert answers == [f"c{i}" for i in range(count)]


async def test_a_chunked_body_is_read_whole(server: CallbackServer, connect: Connect) -> None:
    reader, writer = await connect(server.port)
    body = _challenge("chunked")
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:5], body[5:]))
    writer.write(head + chunks + b"0\r\n\r\n")
    reply = await _read_reply(reader)
    assert (reply.status, reply.json()) == (200, {"challenge": "chunked"})


async def test_a_chunked_body_over_the_cap_is_413(server: CallbackServer, connect: Connect) -> None:
    reader, writer = await connect(server.port)
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    writer.write(head + b"".join(b"400\r\n" + b" " * 1024 + b"\r\n" for _ in range(6)))
    reply = await _read_reply(reader)
    assert reply.status == 413
    assert "at most 4096 bytes" in reply.json()["error"]


async def test_expect_100_continue_gets_the_interim_answer_before_the_body(
    server: CallbackServer,
    connect: Connect,
) -> None:
    reader, writer = await connect(server.port)
    body = _challenge("after-continue")
    head = _request(b"", headers="Expect: 100-continue\r\n")
    writer.write(head.replace(b"Length: 0\r\n", b"Length: %d\r\n" % len(body)))
    interim = await _read_reply(reader)
    assert interim.status == 100
    writer.write(body)
    reply = await _read_reply(reader)
    assert (reply.status, reply.json()) == (200, {"challenge": "after-continue"})


async def test_http_1_0_is_answered_then_closed(server: CallbackServer, connect: Connect) -> None:
    reader, writer = await connect(server.port)
    writer.write(_request(_challenge("old"), version="1.0"))
    reply = await _read_reply(reader)
    assert (reply.status, reply.json()) == (200, {"challenge": "old"})
    assert await _closed(reader)


async def test_connection_close_is_honoured(server: CallbackServer, connect: Connect) -> None:
    reader, writer = await connect(server.port)
    writer.write(_request(_challenge("bye"), headers="Connection: close\r\n"))
    reply = await _read_reply(reader)
    assert reply.status == 200
    assert await _closed(reader)


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
    server: CallbackServer, connect: Connect, garbage: bytes
) -> None:
    reader, writer = await connect(server.port)
    writer.write(garbage)
    reply = await _read_reply(reader)
    assert reply.status == 400
    assert await _closed(reader)


async def test_a_huge_head_is_refused_without_buffering_it(
    server: CallbackServer, connect: Connect
) -> None:
    events = Events(server)
    reader, writer = await connect(server.port)
    writer.write(f"POST {PATH} HTTP/1.1\r\nHost: x\r\n".encode())
    writer.write(b"X-Padding: " + b"a" * 100_000 + b"\r\n\r\n")
    reply = await _read_reply(reader)
    assert reply.status in (400, 431)  # aiohttp says 400, the httptools protocol 431
    assert await _closed(reader)
    assert events.kinds() == []  # refused before any push handling


async def test_a_refused_request_leaves_the_connection_usable(
    server: CallbackServer, connect: Connect
) -> None:
    events = Events(server)
    reader, writer = await connect(server.port)
    wrong = PATH.replace(SECRET, "not-the-secret-0123456789")
    writer.write(_request(_challenge("x"), path=wrong))
    assert (await _read_reply(reader)).status == 404
    writer.write(_request(b"", method="GET"))
    reply = await _read_reply(reader)
    assert (reply.status, reply.headers.get("allow")) == (405, "POST")
    writer.write(_request(_challenge("still-here")))
    assert (await _read_reply(reader)).json() == {"challenge": "still-here"}
    assert "push_rejected" in events.kinds()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (PATH + "?attempt=2", 200),
        (PATH.replace("/video", "/%76ideo"), 200),
        (PATH.replace(SECRET, SECRET + "/"), 404),
    ],
    ids=["query", "percent-encoded", "empty-segment"],
)
async def test_path_forms(server: CallbackServer, connect: Connect, path: str, status: int) -> None:
    reader, writer = await connect(server.port)
    writer.write(_request(_challenge("p"), path=path))
    assert (await _read_reply(reader)).status == status


async def test_an_h2c_upgrade_offer_is_answered_as_http_1_1(
    server: CallbackServer, connect: Connect
) -> None:
    reader, writer = await connect(server.port)
    offer = (
        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
    )
    writer.write(_request(_challenge("h2"), headers=offer))
    reply = await _read_reply(reader)
    assert (reply.status, reply.json()) == (200, {"challenge": "h2"})


async def test_closing_the_receiver_ends_idle_keep_alive_connections(
    connect: Connect, receiver_http: Any
) -> None:
    server = CallbackServer(secret=SECRET, http=receiver_http)
    await server.start()
    reader, writer = await connect(server.port)
    writer.write(_request(_challenge("before-close")))
    assert (await _read_reply(reader)).status == 200
    await server.aclose()
    assert await _closed(reader)


async def test_a_silent_connection_is_closed_after_the_idle_timeout(connect: Connect) -> None:
    async with CallbackServer(secret=SECRET, http="httptools") as server:
        pass  # only to build an endpoint the way the receiver does
    fast = HttptoolsServer(server._endpoint, idle_timeout=0.2)
    _, port = await fast.start("127.0.0.1", 0, reuse_port=False)
    try:
        reader, writer = await connect(port)
        writer.write(b"POST / HTTP/1.1\r\n")  # a head that never finishes
        assert await _closed(reader)
    finally:
        await fast.aclose(grace=0.1)


# -- found by review: each of these broke the httptools protocol once -------------------


@pytest.fixture
def no_loop_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail if the event loop logged an error (a protocol callback that raised)."""
    with caplog.at_level(logging.ERROR):
        yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


async def test_endless_trailers_are_refused_not_buffered(
    server: CallbackServer, connect: Connect
) -> None:
    reader, writer = await connect(server.port)
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
    writer.write(head + b"2\r\n{}\r\n0\r\nX-Trailer: ")
    for _ in range(8):
        writer.write(b"a" * 16_384)  # a trailer value that never ends
    reply = await _read_reply(reader)
    assert reply.status in (400, 431)  # aiohttp says 400, the httptools protocol 431
    assert await _closed(reader)


@pytest.fixture
async def fast_server() -> AsyncIterator[CallbackServer]:
    """The httptools protocol alone, for what aiohttp answers differently by design:
    it refuses a whole segment holding data after ``Connection: close`` with 400 (and
    logs it), and keeps a connection open after a 413."""
    async with CallbackServer(
        secret=SECRET, confirm=False, quiet_period=600.0, max_body=4096, http="httptools"
    ) as running:
        yield running


async def test_bytes_after_a_closing_reply_raise_nothing(
    fast_server: CallbackServer, connect: Connect, no_loop_errors: None
) -> None:
    server = fast_server
    reader, writer = await connect(server.port)
    closing = _request(_challenge("last"), headers="Connection: close\r\n")
    writer.write(closing + _request(_challenge("ignored")))
    reply = await _read_reply(reader)
    assert reply.json() == {"challenge": "last"}
    assert await _closed(reader)


async def test_an_oversized_body_then_more_requests_raise_nothing(
    fast_server: CallbackServer, connect: Connect, no_loop_errors: None
) -> None:
    server = fast_server
    reader, writer = await connect(server.port)
    big = _request(b" " * 5000)
    writer.write(big + _request(b"{}", headers="Expect: 100-continue\r\n"))
    assert (await _read_reply(reader)).status == 413
    assert await _closed(reader)


async def test_content_length_with_trailing_space_is_a_length(
    server: CallbackServer, connect: Connect
) -> None:
    reader, writer = await connect(server.port)
    body = _challenge("spaced")
    writer.write(
        _request(body).replace(b"Length: %d\r\n" % len(body), b"Length: %d \r\n" % len(body))
    )
    reply = await _read_reply(reader)
    assert (reply.status, reply.json()) == (200, {"challenge": "spaced"})


@pytest.mark.parametrize(
    "headers",
    ["Content-Length: 17\r\nExpect: 100-continue\r\n", "Content-Length: 1000000\r\n"],
    ids=["expect", "large"],
)
async def test_a_wrong_secret_is_404_before_any_body_is_sent(
    server: CallbackServer, connect: Connect, headers: str
) -> None:
    reader, writer = await connect(server.port)
    wrong = PATH.replace(SECRET, "not-the-secret-0123456789")
    writer.write(f"POST {wrong} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    assert (await _read_reply(reader)).status == 404  # not 100, not 413


async def test_an_upgrade_offer_with_expect_gets_its_body_read(
    server: CallbackServer, connect: Connect
) -> None:
    reader, writer = await connect(server.port)
    body = _challenge("h2-late")
    offer = (
        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nExpect: 100-continue\r\n"
    )
    head = _request(b"", headers=offer)
    writer.write(head.replace(b"Length: 0\r\n", b"Length: %d\r\n" % len(body)))
    assert (await _read_reply(reader)).status == 100
    writer.write(body)
    reply = await _read_reply(reader)
    assert (reply.status, reply.json()) == (200, {"challenge": "h2-late"})


async def test_connect_is_404_and_logs_no_error(
    server: CallbackServer, connect: Connect, no_loop_errors: None
) -> None:
    reader, writer = await connect(server.port)
    writer.write(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
    assert (await _read_reply(reader)).status in (400, 404)


async def test_closing_does_not_wait_for_a_peer_that_never_reads(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with CallbackServer(secret=SECRET, http="httptools") as server:
        pass  # only to build an endpoint the way the receiver does
    stuck = asyncio.Event()  # set once the server holds replies it cannot deliver
    pause_writing = _Connection.pause_writing

    def noting(connection: _Connection) -> None:
        pause_writing(connection)
        stuck.set()

    monkeypatch.setattr(_Connection, "pause_writing", noting)
    fast = HttptoolsServer(server._endpoint)
    _, port = await fast.start("127.0.0.1", 0, reuse_port=False)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    _, writer = await asyncio.open_connection(sock=sock)
    try:
        cast(asyncio.Transport, writer.transport).pause_reading()  # it reads no reply
        writer.write(b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n" * 100_000)
        with anyio.fail_after(DEADLINE):
            await stuck.wait()
            await fast.aclose(grace=0.1)
        assert not fast.connections  # cut, not left waiting for the peer to read
    finally:
        writer.transport.abort()
