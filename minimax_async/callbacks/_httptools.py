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

import anyio
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
        "_body_this_read",
        "_chunked",
        "_closing",
        "_completed_this_read",
        "_continue",
        "_declared",
        "_head_size",
        "_overhead",
        "_parser",
        "_refused",
        "_route",
        "_server",
        "_trace_id",
        "_transport",
        "_upgrade",
        "_upgrade_missing",
        "_url",
        "last_seen",
    )

    def __init__(self, server: HttptoolsServer) -> None:
        self._server = server
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._closing = False
        self.last_seen = 0.0
        #: Bytes fed to the parser that were not body (request line, headers, chunk
        #: lines, trailers) since the last complete request: bounded by MAX_HEAD.
        self._overhead = 0
        self._body_this_read = 0
        self._completed_this_read = False
        self._upgrade_missing = 0
        self._reset()

    def _reset(self) -> None:
        self._url = b""
        self._body: list[bytes] = []
        self._body_size = 0
        self._trace_id: str | None = None
        self._declared: int | None = None
        self._continue = False
        self._chunked = False
        self._route: tuple[str, str] | None = None
        self._refused = 0
        self._head_size = 0
        self._upgrade = False

    # -- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCP transport has the Transport methods without the base class.
        self._transport = cast(asyncio.Transport, transport)
        self.last_seen = self._server.now()
        self._server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._server.forget(self)

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
        if self._upgrade_missing:
            data = self._take_upgrade_body(data)
            if not data or self._closing:
                return
        self._body_this_read = 0
        self._completed_this_read = False
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as exc:
            self._upgraded(data[exc.args[0] :] if exc.args else b"")
            return
        except httptools.HttpParserCallbackError:
            logger.exception("unexpected error handling a callback request")
            self._refuse(400)
            return
        except httptools.HttpParserError:
            self._refuse(400)
            return
        # httptools keeps an unfinished head, trailer or chunk line in memory across
        # reads: whatever is not body counts against MAX_HEAD until a request completes.
        if self._completed_this_read:
            self._overhead = 0
        else:
            self._overhead += len(data) - self._body_this_read
            if self._overhead > MAX_HEAD:
                self._refuse(431)

    def eof_received(self) -> bool | None:
        return None  # close our side too

    # -- requests with an Upgrade header -----------------------------------------------

    def _upgraded(self, rest: bytes) -> None:
        # llhttp hands a request with an Upgrade header (curl's h2c offer, say) over
        # without its body, and the bytes after the head as the new protocol's. There
        # is no switching here (no 101 is sent): the body is read by hand, the request
        # answered as HTTP/1.1, and the connection ends after it.
        if self._closing:
            return
        if not self._upgrade or self._chunked:
            self._refuse(400)  # a chunked upgrade body would need a parser of its own
            return
        self._upgrade_missing = self._declared or 0
        self._take_upgrade_body(rest)

    def _take_upgrade_body(self, data: bytes) -> bytes:
        missing = self._upgrade_missing
        part, rest = data[:missing], data[missing:]
        self._body.append(part)
        self._upgrade_missing = missing - len(part)
        if not self._upgrade_missing:
            self._upgrade = False
            self._answer(close=True)
        return rest

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
            # llhttp has validated the number but passes optional whitespace through.
            value = value.strip(b" \t")
            self._declared = int(value) if value.isdigit() else -1
        elif name == b"transfer-encoding":
            self._chunked = b"chunked" in value.lower()
        elif name == b"expect":
            self._continue = value.strip(b" \t").lower() == b"100-continue"

    def on_headers_complete(self) -> None:
        if self._closing:
            return
        if self._head_size > MAX_HEAD:
            self._refuse(431)
            return
        self._upgrade = self._parser.should_upgrade()
        endpoint = self._server.endpoint
        method = self._parser.get_method().decode("latin-1")
        self._route = endpoint.locate(_path(self._url))
        self._refused = endpoint.admit(self._route, method, self._trace_id)
        declared = self._declared
        if self._refused:
            # Answered now, as aiohttp does, so a sender waiting on Expect or with a large
            # body hears "not here" at once. A small body is read and dropped so the
            # connection can serve the next request; otherwise it closes after the answer.
            # (No Content-Length and not chunked: no body at all.)
            if self._chunked:
                small = False
            else:
                small = declared is None or 0 <= declared <= endpoint.max_body
            close = self._continue or self._upgrade or not small
            close = close or not self._parser.should_keep_alive()
            extra = b"Allow: POST\r\n" if self._refused == 405 else b""
            self._reply(self._refused, b"", close=close, extra=extra)
            return
        if declared is not None and (declared < 0 or declared > endpoint.max_body):
            self._reply(*endpoint.oversized(self._trace_id), close=True)
            return
        if self._continue and self._transport is not None:
            self._transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        self._body_this_read += len(body)
        if self._closing:
            return
        self._body_size += len(body)
        if self._body_size > self._server.endpoint.max_body:
            if self._refused:
                self._close_gracefully()  # already answered; no reason to read on
            else:
                self._reply(*self._server.endpoint.oversized(self._trace_id), close=True)
            return
        if not self._refused:
            self._body.append(body)

    def on_message_complete(self) -> None:
        self._completed_this_read = True
        if self._closing or self._upgrade:
            return  # an upgrade request's body comes after this (see _upgraded)
        if self._refused:
            return  # answered when its head arrived
        self._answer(close=not self._parser.should_keep_alive())

    def _answer(self, *, close: bool) -> None:
        assert self._route is not None
        assert not self._refused  # refusals are answered when their head arrives
        status, encoded = self._server.endpoint.answer(
            b"".join(self._body), kind=self._route[1], trace_id=self._trace_id
        )
        self._body = []
        self._reply(status, encoded, close=close)

    # -- replies -----------------------------------------------------------------------

    def _reply(self, status: int, body: bytes, *, close: bool, extra: bytes = b"") -> None:
        transport = self._transport
        if transport is None or self._closing:
            return  # the connection is ending: what is still parsed gets no answer
        head = _head(status, len(body), close=close, extra=extra)
        transport.write(head + self._server.clock.date() + b"\r\n" + body)
        if close:
            self._close_gracefully()

    def _refuse(self, status: int) -> None:
        self._reply(status, b"", close=True)

    def _close_gracefully(self) -> None:
        # Closing with unread input makes the kernel send a reset, which can destroy
        # the reply in flight; so send FIN after the reply and drain for a while, then
        # cut the connection (abort: a peer that never reads must not keep it open).
        transport = self._transport
        self._closing = True
        if transport is None:
            return
        if transport.can_write_eof():
            transport.write_eof()
            transport.resume_reading()
            asyncio.get_running_loop().call_later(LINGER, transport.abort)
        else:  # pragma: no cover - TCP transports can always half-close
            transport.close()

    def close(self, *, force: bool = False) -> None:
        """Close (replies already written are flushed first), or with ``force`` at once."""
        transport = self._transport
        if transport is None:
            return
        if force or transport.is_closing() or transport.get_write_buffer_size():
            # Already closing but still here, or replies the peer is not reading.
            transport.abort()
        else:
            transport.close()


def _path(url: bytes) -> str:
    """The request target's path, percent-decoded as aiohttp does; "" if it has none."""
    path = url.partition(b"?")[0]
    if not path.startswith(b"/"):
        try:  # absolute-form ("http://host/path"); authority-form (CONNECT) has no path
            path = httptools.parse_url(url).path or b""
        except httptools.HttpParserInvalidURLError:
            return ""
    text = path.decode("latin-1")
    return unquote(text, errors="replace") if "%" in text else text


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
        self._all_gone: asyncio.Event | None = None

    def now(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    def forget(self, connection: _Connection) -> None:
        self.connections.discard(connection)
        if not self.connections and self._all_gone is not None:
            self._all_gone.set()

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

    async def aclose(self, *, grace: float = 1.0) -> None:
        """Stop listening and close every connection: replies already written get
        ``grace`` seconds to flush, then what is left is cut."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        self._all_gone = asyncio.Event()
        for connection in list(self.connections):
            connection.close()
        if self.connections:
            with anyio.move_on_after(grace):
                await self._all_gone.wait()
        for connection in list(self.connections):
            connection.close(force=True)
        await server.wait_closed()
