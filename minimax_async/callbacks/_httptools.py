"""The receiver's fast transport: an asyncio protocol on httptools' HTTP/1.1 parser.

Used by the standalone receiver when the ``speed`` extra is installed. A push needs
none of a web framework's request and response objects: the parser (llhttp, the one
Node.js uses) hands over the path, three headers and the body, the shared
:class:`~minimax_async.callbacks._endpoint.Endpoint` answers, and the reply is one
pre-built byte string. On the benchmark machine that serves about three times the
pushes per second of the aiohttp transport with the same endpoint behind it.

HTTP handled here, so the receiver stays a well-behaved server: keep-alive and
HTTP/1.0, pipelined requests answered in order, chunked bodies, ``Expect:
100-continue``, a cap on the request head and on the body, 400 for what does not
parse, write back-pressure (reading pauses while the peer does not read), an idle
timeout, and refusals that are sent before the connection closes rather than lost to
a reset.
"""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import formatdate
from http import HTTPStatus
from typing import cast
from urllib.parse import unquote

import httptools

from minimax_async.callbacks._endpoint import Endpoint

__all__ = ("HttptoolsServer",)

logger = logging.getLogger("minimax_async.callbacks")

#: Request line plus headers; aiohttp's limits are about this size too.
MAX_HEAD = 16 * 1024
#: How long a connection may send nothing before it is closed (aiohttp's keep-alive).
IDLE_TIMEOUT = 75.0
#: After a refusal that closes, how long unread input is drained so the reply arrives.
LINGER = 2.0

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class _Clock:
    """The Date header, formatted at most once a second."""

    __slots__ = ("_header", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._header = b""

    def date(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._header = f"Date: {formatdate(now, usegmt=True)}\r\n".encode()
        return self._header


def _head(status: int, length: int, *, close: bool, extra: bytes = b"") -> bytes:
    phrase = HTTPStatus(status).phrase
    kind = b"Content-Type: application/json\r\n" if length else b""
    connection = b"Connection: close\r\n" if close else b""
    return b"HTTP/1.1 %d %s\r\n%s%sContent-Length: %d\r\n" % (
        status,
        phrase.encode(),
        kind,
        connection + extra,
        length,
    )


class _Connection(asyncio.Protocol):
    """One client connection; requests are answered in the order they arrive."""

    __slots__ = (
        "_body",
        "_body_size",
        "_closing",
        "_continue",
        "_declared",
        "_head_size",
        "_in_head",
        "_parser",
        "_received",
        "_refused",
        "_route",
        "_server",
        "_trace_id",
        "_transport",
        "_upgrade",
        "_url",
        "last_seen",
    )

    def __init__(self, server: HttptoolsServer) -> None:
        self._server = server
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._closing = False
        self.last_seen = 0.0
        self._reset()

    def _reset(self) -> None:
        self._url = b""
        self._body: list[bytes] = []
        self._body_size = 0
        self._trace_id: str | None = None
        self._declared: int | None = None
        self._continue = False
        self._route: tuple[str, str] | None = None
        self._refused = 0
        self._in_head = True
        self._head_size = 0
        self._received = 0
        self._upgrade = False

    # -- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCP transport has the Transport methods without the base class.
        self._transport = cast(asyncio.Transport, transport)
        self.last_seen = self._server.now()
        self._server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._server.connections.discard(self)
        self._transport = None

    def pause_writing(self) -> None:
        # The peer is not reading its replies: stop reading its requests until it does.
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None and not self._closing:
            self._transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        self.last_seen = self._server.now()
        if self._closing:
            return  # draining after a refusal: input is read and dropped
        if self._in_head:
            self._received += len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as exc:
            self._upgraded(data[exc.args[0] :] if exc.args else b"")
        except httptools.HttpParserCallbackError:
            logger.exception("unexpected error handling a callback request")
            self._refuse(400)
        except httptools.HttpParserError:
            self._refuse(400)
        else:
            # httptools holds an unfinished head in memory: bound it across reads too.
            if self._in_head and self._received > MAX_HEAD:
                self._refuse(431)

    def _upgraded(self, rest: bytes) -> None:
        # llhttp hands a request with an Upgrade header (curl's h2c offer, say) over
        # without its body, and the bytes after the head as the new protocol's. There
        # is no switching here (no 101 is sent), so that body is read by hand, answered
        # as HTTP/1.1, and the connection ends after it.
        if not self._upgrade or self._closing:
            self._refuse(400)
            return
        declared = self._declared or 0
        if len(rest) < declared:
            self._refuse(400)  # a split upgrade body is not worth the machinery
            return
        self._body.append(rest[:declared])
        self._upgrade = False
        self._answer(close=True)

    def eof_received(self) -> bool | None:
        return None  # close our side too

    # -- httptools callbacks -----------------------------------------------------------

    def on_message_begin(self) -> None:
        self._reset()

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head_size += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 4
        name = name.lower()
        if name == b"trace-id":
            self._trace_id = value.decode("latin-1")
        elif name == b"content-length":
            self._declared = int(value) if value.isdigit() else -1
        elif name == b"expect":
            self._continue = value.lower() == b"100-continue"

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._head_size > MAX_HEAD:
            self._refuse(431)
            return
        self._upgrade = self._parser.should_upgrade()
        endpoint = self._server.endpoint
        path = self._url.partition(b"?")[0]
        if not path.startswith(b"/"):
            path = httptools.parse_url(self._url).path or b"/"
        text = path.decode("latin-1")
        if "%" in text:
            text = unquote(text, errors="replace")
        self._route = endpoint.locate(text)
        method = self._parser.get_method().decode("latin-1")
        self._refused = endpoint.admit(self._route, method, self._trace_id)
        if self._refused:
            return  # answered once the body has been read (and dropped)
        declared = self._declared
        if declared is not None and (declared < 0 or declared > endpoint.max_body):
            self._reply(*endpoint.oversized(self._trace_id), close=True)
            return
        if self._continue and self._transport is not None:
            self._transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self._closing:
            return
        self._body_size += len(body)
        if self._body_size > self._server.endpoint.max_body:
            if self._refused:
                self._refuse(413)  # no reason to take a large body from a stranger
            else:
                self._reply(*self._server.endpoint.oversized(self._trace_id), close=True)
            return
        if not self._refused:
            self._body.append(body)

    def on_message_complete(self) -> None:
        if self._closing or self._upgrade:
            return  # an upgrade request's body comes after this (see _upgraded)
        self._answer(close=not self._parser.should_keep_alive())

    def _answer(self, *, close: bool) -> None:
        if self._refused == 405:
            self._reply(405, b"", close=close, extra=b"Allow: POST\r\n")
        elif self._refused:
            self._reply(self._refused, b"", close=close)
        else:
            assert self._route is not None
            status, encoded = self._server.endpoint.answer(
                b"".join(self._body), kind=self._route[1], trace_id=self._trace_id
            )
            self._reply(status, encoded, close=close)
        self._body = []

    # -- replies -----------------------------------------------------------------------

    def _reply(self, status: int, body: bytes, *, close: bool, extra: bytes = b"") -> None:
        transport = self._transport
        if transport is None:
            return
        head = _head(status, len(body), close=close, extra=extra)
        transport.write(head + self._server.clock.date() + b"\r\n" + body)
        if close:
            self._close_gracefully()

    def _refuse(self, status: int) -> None:
        self._reply(status, b"", close=True)

    def _close_gracefully(self) -> None:
        # Closing with unread input makes the kernel send a reset, which can destroy
        # the reply in flight; so send FIN after the reply and drain for a while.
        transport = self._transport
        self._closing = True
        if transport is None:
            return
        if transport.can_write_eof():
            transport.write_eof()
            transport.resume_reading()
            asyncio.get_running_loop().call_later(LINGER, transport.close)
        else:  # pragma: no cover - TCP transports can always half-close
            transport.close()

    def close(self) -> None:
        """Close now (shutdown): replies already written are still flushed."""
        if self._transport is not None:
            self._transport.close()


class HttptoolsServer:
    """Listening socket(s) plus the open connections, for :class:`CallbackServer`."""

    def __init__(self, endpoint: Endpoint, *, idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.endpoint = endpoint
        self.clock = _Clock()
        self.connections: set[_Connection] = set()
        self.idle_timeout = idle_timeout
        self._server: asyncio.Server | None = None
        self._sweeper: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def now(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    async def start(self, host: str, port: int, *, reuse_port: bool) -> tuple[str, int]:
        """Bind and listen; returns the first bound (host, port)."""
        self._loop = asyncio.get_running_loop()
        self._server = await self._loop.create_server(
            lambda: _Connection(self),
            host or None,
            port,
            reuse_port=reuse_port or None,
            backlog=1024,
        )
        self._schedule_sweep()
        address = self._server.sockets[0].getsockname()
        return str(address[0]), int(address[1])

    def _schedule_sweep(self) -> None:
        assert self._loop is not None
        self._sweeper = self._loop.call_later(self.idle_timeout / 2, self._sweep)

    def _sweep(self) -> None:
        deadline = self.now() - self.idle_timeout
        for connection in [c for c in self.connections if c.last_seen < deadline]:
            logger.debug("closing a callback connection idle for %.0fs", self.idle_timeout)
            connection.close()
        self._schedule_sweep()

    async def aclose(self) -> None:
        """Stop listening and close every connection (pending replies are flushed)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for connection in list(self.connections):
            connection.close()
        await server.wait_closed()
