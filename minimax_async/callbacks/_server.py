""":class:`CallbackServer`: the bundled receiver for MiniMax task callbacks."""

from __future__ import annotations

import functools
import logging
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType

import aiohttp
import anyio
from aiohttp import web

from minimax_async._exceptions import ClosedError, InvalidInputError, SelfCheckError
from minimax_async._ref import TaskKind, TaskRef
from minimax_async._registry import InMemoryRegistry, TaskRegistry
from minimax_async._retry import Backoff
from minimax_async._tracker import QueryFn, TaskTracker
from minimax_async.callbacks._access_log import SecretFilter
from minimax_async.callbacks._aiohttp import build_aiohttp_app
from minimax_async.callbacks._asgi import ASGIApp, CallbackASGIApp
from minimax_async.callbacks._bus import ResultBus
from minimax_async.callbacks._endpoint import KINDS, Endpoint, normalise_path
from minimax_async.callbacks._hooks import Hooks, Subscriber
from minimax_async.models import TaskSnapshot

__all__ = ("CallbackServer", "SelfCheckError")

logger = logging.getLogger("minimax_async.callbacks")

_SECRET = re.compile(r"[A-Za-z0-9_-]{16,128}")
_WILDCARD_HOSTS = ("", "0.0.0.0", "::")
#: Where web servers log requests: the loggers :meth:`CallbackServer.redact_access_logs` covers.
_ACCESS_LOGGERS = ("aiohttp.access", "uvicorn.access", "gunicorn.access", "hypercorn.access")


class CallbackServer:
    """Receives MiniMax's challenge and status pushes and hands each task its result once.

    Pushes are hints, polls are truth: every waiting task has a watchdog that queries it
    after ``quiet_period`` seconds without a push (then with backoff up to
    ``max_poll_interval``), so a lost push never loses a result. With ``confirm=True``
    (the default) a terminal push is checked by one query before it counts, which also
    fills in ``video_width``/``video_height`` (pushes omit them) and means a forged push
    cannot fake a result.

    ``public_url`` is the base MiniMax can reach (reverse proxy or tunnel); without it
    the bound loopback address is used, which only the emulator can reach. The callback
    URL carries an unguessable ``secret`` path segment; requests without it get 404.
    ``listen=False`` binds no socket: serve :meth:`aiohttp_app` or :meth:`asgi_app`
    from your own application instead (then ``public_url`` is required and includes the
    mount point). ``path`` is where the receiver's routes start inside whatever serves
    them: ``/minimax/callback`` standalone, the mount point itself when ``listen=False``.
    Either way the URL carries the secret: :meth:`redact_access_logs` keeps it out of
    access logs.

    Several worker processes: give each the same ``secret`` and a shared ``bus`` (e.g.
    ``minimax_async.durable.RedisBus``), so a push any worker receives resolves the
    waiter in whichever worker awaits the task; ``reuse_port=True`` lets them all bind
    one port (SO_REUSEPORT, the kernel spreads connections).

    The standalone receiver is :meth:`aiohttp_app` on aiohttp's ``AppRunner``: the very
    application a mounted receiver serves.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        public_url: str | None = None,
        path: str | None = None,
        secret: str | None = None,
        confirm: bool = True,
        quiet_period: float = 30.0,
        max_poll_interval: float = 60.0,
        poll_jitter: float = 0.1,
        max_concurrent_polls: int = 8,
        max_body: int = 64 * 1024,
        registry: TaskRegistry | None = None,
        listen: bool = True,
        check_on_start: bool = False,
        bus: ResultBus | None = None,
        reuse_port: bool = False,
    ) -> None:
        _check_options(public_url, secret, quiet_period, max_poll_interval, poll_jitter)
        if max_concurrent_polls < 1:
            raise InvalidInputError("max_concurrent_polls", max_concurrent_polls, "must be >= 1")
        if max_body < 64:
            raise InvalidInputError("max_body", max_body, "must be at least 64 bytes")
        if not listen and public_url is None:
            raise InvalidInputError("public_url", None, "is required when listen=False")
        self.host = host
        self.port = port
        self.public_url = public_url.rstrip("/") if public_url else None
        if path is None:
            path = "/minimax/callback" if listen else ""
        self.path = normalise_path(path)
        self.confirm = confirm
        self.listen = listen
        self.check_on_start = check_on_start
        self._secret = secret if secret is not None else secrets.token_urlsafe(24)
        self.hooks = Hooks()
        self.registry: TaskRegistry = registry if registry is not None else InMemoryRegistry()
        self.bus = bus
        self._tracker = TaskTracker(
            registry=self.registry,
            hooks=self.hooks,
            confirm=confirm,
            pushes=True,
            # Quiet tasks only: quiet_period after the last news, then doubling.
            schedule=Backoff(quiet_period, 2.0, max(max_poll_interval, quiet_period), poll_jitter),
            max_concurrent_polls=max_concurrent_polls,
            bus=bus,
        )
        self._endpoint = Endpoint(
            secret=self._secret,
            tracker=self._tracker,
            hooks=self.hooks,
            max_body=max_body,
            path=self.path,
        )
        self._unbind: Callable[[], Awaitable[None]] | None = None
        self._bound_url: str | None = None
        self._started = False
        self.reuse_port = reuse_port

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def tracker(self) -> TaskTracker:
        """The waiting engine this receiver feeds (the client waits through it)."""
        return self._tracker

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`aclose`."""
        return self._started and not self._tracker.closed

    async def start(self) -> None:
        """Bind the listening socket (unless ``listen=False``); idempotent."""
        if self._tracker.closed:
            raise ClosedError("this CallbackServer was closed; create a new one")
        if self._started:
            return
        if self.bus is not None:
            # Before binding: a worker that cannot share pushes must not take any.
            await self.bus.start(self._tracker)
        if self.listen:
            try:
                await self._bind()
            except BaseException:
                if self.bus is not None:
                    await self.bus.aclose()
                raise
        self._started = True
        logger.info("callback receiver ready at %s", self._redacted_url())
        if self.check_on_start:
            try:
                await self.self_check()
            except BaseException:
                await self.aclose()
                raise

    async def _bind(self) -> None:
        # No access log: the URL carries the secret, and the receiver logs each push.
        runner = web.AppRunner(self.aiohttp_app(), access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, reuse_port=self.reuse_port or None)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._unbind = runner.cleanup
        host, port = runner.addresses[0][:2]
        self.port = port
        if self.host in _WILDCARD_HOSTS:
            host = "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        self._bound_url = f"http://{shown}:{port}"

    async def aclose(self) -> None:
        """Stop: pending waiters get :class:`ClosedError`, timers and polls end, socket closes.

        Tasks keep running at MiniMax (there is no cancel endpoint); wait on them again
        from a new receiver or poll them.
        """
        await self._tracker.aclose()
        unbind, self._unbind = self._unbind, None
        if unbind is not None:
            await unbind()
        if self.bus is not None:
            await self.bus.aclose()

    async def __aenter__(self) -> CallbackServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- URLs --------------------------------------------------------------------------

    def callback_url(self, kind: TaskKind = "video") -> str:
        """The URL to send as ``callback_url`` for a task of this ``kind``."""
        if kind not in KINDS:
            raise InvalidInputError("kind", kind, f"must be one of {KINDS}")
        base = self.public_url or self._bound_url
        if base is None:
            raise ClosedError("the callback receiver is not started and has no public_url")
        return f"{base}{self.path}/{self._secret}/{kind}"

    def _redacted_url(self) -> str:
        base = self.public_url or self._bound_url or "<not bound>"
        return f"{base}{self.path}/<secret>/<kind>"

    # -- waiting -----------------------------------------------------------------------

    async def wait(
        self,
        task_id: str,
        *,
        query: QueryFn,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the integration contract
        trace_id: str | None = None,
    ) -> TaskSnapshot:
        """Register ``task_id`` and return its terminal snapshot (Success or Fail).

        A push that arrived before this call is used. Terminal pushes are confirmed via
        ``query`` when ``confirm=True``; ``query`` also serves the watchdog. Raises
        :class:`TaskTimeoutError` after ``timeout`` seconds, :class:`ClosedError` if the
        receiver closes, and a permanent query error (bad key, unknown task) as is.
        Cancelling this call detaches this waiter only; the task keeps running at
        MiniMax and a later ``wait`` re-attaches.
        """
        ref = TaskRef("video", task_id, trace_id)
        return await self._tracker.wait(ref, query=query, timeout=timeout)

    def updates(
        self,
        task_id: str,
        *,
        query: QueryFn,
        timeout: float | None = None,
    ) -> AsyncIterator[TaskSnapshot]:
        """The task's current status (queried if unknown), then each accepted change.

        Ends after the terminal snapshot; waits like :meth:`wait` meanwhile.
        """
        return self._tracker.updates(TaskRef("video", task_id), query=query, timeout=timeout)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(event)`` for every lifecycle event; returns an unsubscriber."""
        return self.hooks.subscribe(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        """Stop calling ``callback``."""
        self.hooks.unsubscribe(callback)

    # -- mounting ----------------------------------------------------------------------

    def aiohttp_app(self) -> web.Application:
        """A sub-application: ``parent.add_subapp("/minimax", callbacks.aiohttp_app())``."""
        return build_aiohttp_app(self._endpoint)

    def asgi_app(self) -> ASGIApp:
        """An ASGI app: ``fastapi_app.mount("/minimax", callbacks.asgi_app())``."""
        return CallbackASGIApp(self._endpoint)

    def redact_access_logs(self, *loggers: str | logging.Logger) -> logging.Filter:
        """Keep the secret out of access logs, in one line: ``callbacks.redact_access_logs()``.

        Adds a filter that writes ``<secret>`` in its place to the given loggers (names or
        objects; by default the access loggers of aiohttp, uvicorn, gunicorn and
        hypercorn) and returns it: add it to a handler too, to cover every logger the
        handler serves. Calling it again adds nothing twice.
        """
        for target in loggers or _ACCESS_LOGGERS:
            named = logging.getLogger(target) if isinstance(target, str) else target
            named.addFilter(self._log_filter)
        return self._log_filter

    @functools.cached_property
    def _log_filter(self) -> SecretFilter:
        return SecretFilter(self._secret)

    # -- self-check --------------------------------------------------------------------

    async def self_check(self, *, timeout: float = 3.0) -> None:  # noqa: ASYNC109
        """POST a challenge to the public callback URL and require this receiver's echo.

        MiniMax gives a receiver 3 s to echo, hence the default. Raises
        :class:`SelfCheckError` naming what went wrong.
        """
        url = self.callback_url("video")
        token = f"self-check-{secrets.token_hex(8)}"
        shown = self._redacted_url()
        try:
            with anyio.fail_after(timeout):
                async with (
                    aiohttp.ClientSession() as session,
                    session.post(url, json={"challenge": token}) as response,
                ):
                    status = response.status
                    answer = await response.json(content_type=None) if status == 200 else None
        except TimeoutError as exc:
            raise SelfCheckError(f"{shown}: no echo within {timeout:g}s") from exc
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise SelfCheckError(f"{shown}: {type(exc).__name__}: {exc}") from exc
        if status != 200:
            raise SelfCheckError(f"{shown}: answered HTTP {status}, not this receiver")
        if not isinstance(answer, dict) or answer.get("challenge") != token:
            raise SelfCheckError(f"{shown}: answered, but did not echo the challenge")

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<CallbackServer {self._redacted_url()} {state} confirm={self.confirm}>"


def _check_options(
    public_url: str | None,
    secret: str | None,
    quiet_period: float,
    max_poll_interval: float,
    poll_jitter: float,
) -> None:
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise InvalidInputError("public_url", public_url, "must start with http:// or https://")
    if secret is not None and not _SECRET.fullmatch(secret):
        # The value is not echoed: it is a secret.
        raise InvalidInputError("secret", "<hidden>", "must be 16-128 URL-safe characters")
    if quiet_period <= 0:
        raise InvalidInputError("quiet_period", quiet_period, "must be > 0 seconds")
    if max_poll_interval <= 0:
        raise InvalidInputError("max_poll_interval", max_poll_interval, "must be > 0 seconds")
    if not 0.0 <= poll_jitter < 1.0:
        raise InvalidInputError("poll_jitter", poll_jitter, "must be in [0, 1)")
