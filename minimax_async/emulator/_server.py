"""The :class:`Emulator`: a real aiohttp server on loopback speaking MiniMax's V1 and V2 APIs."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from aiohttp import web

from minimax_async.emulator._callbacks import CallbackClient
from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._http import fault_middleware, record_middleware, set_trace_header
from minimax_async.emulator._lifecycle import Runners
from minimax_async.emulator._recording import RecordedPush, RecordedRequest
from minimax_async.emulator._routes import Api
from minimax_async.emulator._saved import SavedState
from minimax_async.emulator._state import FileRecord, Store, TaskRecord, passed_through
from minimax_async.emulator._status import Status, V2Status
from minimax_async.emulator._v2_routes import V2Api
from minimax_async.emulator._v2_state import Upload, V2Task

__all__ = ("EMULATOR_KEY", "Emulator")

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Emulator:
    """A local, faithful stand-in for the MiniMax video API.

    ::

        async with Emulator(config=EmulatorConfig(time_scale=0.05)) as emu:
            ...  # point a client at emu.base_url

    ``port=0`` (the default) binds an ephemeral port; ``base_url`` tells which.
    ``config`` is live: change its knobs between calls. ``requests``, ``pushes`` and
    ``tasks`` record everything the emulator saw and did. ``state_file`` keeps V1, template
    and V2 tasks, files, uploads and their timings across runs (see
    :mod:`minimax_async.emulator._saved`).
    """

    def __init__(
        self,
        *,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: str | Path | None = None,
    ) -> None:
        self.config = config if config is not None else EmulatorConfig()
        self.host = host
        self.port = port
        self.requests: list[RecordedRequest] = []
        self._rng = random.Random(self.config.seed)
        self._store = Store(self._rng)
        self._callbacks = CallbackClient(self._get_config, self._rng)
        self._runners = Runners()
        self._api = Api(
            config=self._get_config,
            store=self._store,
            callbacks=self._callbacks,
            rng=self._rng,
            runners=self._runners,
        )
        self._v2 = V2Api(
            config=self._get_config,
            store=self._store,
            callbacks=self._callbacks,
            rng=self._rng,
            runners=self._runners,
            base_url=lambda: self._api.base_url,
        )
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._saved = SavedState(state_file) if state_file is not None else None

    def _get_config(self) -> EmulatorConfig:
        return self.config

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server (no trailing slash)."""
        if self._base_url is None:
            raise RuntimeError("the emulator is not running; use 'async with Emulator()'")
        return self._base_url

    @property
    def pushes(self) -> list[RecordedPush]:
        """Every outbound callback (challenges and status pushes) with its outcome."""
        return self._callbacks.records

    @property
    def tasks(self) -> Mapping[str, TaskRecord]:
        """task_id -> task record, for every task created so far."""
        return self._store.tasks

    @property
    def files(self) -> Mapping[str, FileRecord]:
        """file_id (string) -> generated file."""
        return self._store.files

    @property
    def v2_tasks(self) -> Mapping[str, V2Task]:
        """task_id -> every V2 task created so far (deleted ones too, marked ``deleted``)."""
        return self._v2.tasks

    @property
    def uploads(self) -> Mapping[str, Upload]:
        """file_id (string) -> every file accepted by /v1/files/upload."""
        return self._v2.uploads

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock ``seconds`` of emulated time ahead (scaled).

        Expiries read this clock: download links and ``content.url``, uploads, the V2
        7-day query window, so a test sees them lapse without waiting for them.
        """
        if seconds < 0:
            raise ValueError(f"seconds={seconds!r}: the clock only moves forward")
        self._store.clock.offset += self.config.scaled(seconds)

    def build_app(self) -> web.Application:
        """The aiohttp application (exposed for embedding in another server)."""
        # Bodies are size-checked by the create handlers so oversize ones get a 2013.
        app = web.Application(
            client_max_size=1 << 40,
            middlewares=[
                record_middleware(self.requests),
                fault_middleware(self._get_config, self._rng),
            ],
        )
        app[EMULATOR_KEY] = self
        app.add_routes(self._api.routes())
        app.add_routes(self._v2.routes())
        app.on_response_prepare.append(set_trace_header)
        return app

    async def start(self) -> None:
        """Bind and start serving; idempotent."""
        if self._runner is not None:
            return
        self.config.validate()
        await self._callbacks.start()
        runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            await self._callbacks.aclose()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in host else host
        self.port = port
        self._base_url = f"http://{shown}:{port}"
        self._api.base_url = self._base_url
        if self._saved is not None:
            self._restore(self._saved)
        logger.info("MiniMax emulator listening on %s", self._base_url)

    def _restore(self, saved: SavedState) -> None:
        store, lifecycle, v2 = self._store, self._api.lifecycle, self._v2
        try:
            saved.restore(store, lifecycle, v2)
        except OSError as exc:
            logger.warning("emulator state %s unusable, not kept: %s", saved.path, exc)
            return
        store.on_change = lambda task: saved.record(store, lifecycle, task)
        v2.on_change = lambda item: saved.record_v2(store, v2, item)

    async def aclose(self) -> None:
        """Stop serving, cancel lifecycles and pending pushes, close the HTTP session."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        # Stop the server first so no handler can start a lifecycle after they are cancelled.
        await runner.cleanup()
        await self._runners.aclose()
        await self._callbacks.aclose()
        self._base_url = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # The timeout is part of these helpers' contract (tests call them bare).
    async def wait_for_status(
        self,
        task_id: str,
        status: str,
        *,
        timeout: float = 30.0,
    ) -> TaskRecord:
        """Wait (on events, no polling) until the task reaches ``status``.

        Returns at once if it already passed through it. Raises ``TaskEndedError``
        (an AssertionError) if the task ends otherwise, TimeoutError after ``timeout``.
        """
        wanted = Status.parse(status)
        return await _within(self._store.wait_for_status(task_id, wanted), timeout)

    async def wait_for_v2_status(
        self,
        task_id: str,
        status: str,
        *,
        timeout: float = 30.0,
    ) -> V2Task:
        """As :meth:`wait_for_status`, for a V2 task (``queued`` ... ``expired``)."""
        wanted = V2Status(status)

        def reached() -> V2Task | None:
            task = self._v2.tasks.get(task_id)
            return None if task is None else passed_through(task, wanted, task.history)

        return await _within(self._store.wait_until(reached), timeout)

    async def wait_for_pushes(
        self,
        predicate: Callable[[list[RecordedPush]], bool],
        *,
        timeout: float = 30.0,
    ) -> list[RecordedPush]:
        """Wait until ``predicate(emu.pushes)`` is true; TimeoutError after ``timeout``."""
        await _within(self._callbacks.wait_until(predicate), timeout)
        return self.pushes

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path is ``path``."""
        return [record for record in self.requests if record.path == path]

    def __repr__(self) -> str:
        where = self._base_url or "not running"
        return f"<Emulator {where} tasks={len(self._store.tasks)}>"


async def _within(waiting: Awaitable[T], timeout: float) -> T:
    """``waiting``'s result, or the builtin TimeoutError (asyncio's differs before 3.11)."""
    try:
        return await asyncio.wait_for(waiting, timeout)
    except asyncio.TimeoutError:
        raise TimeoutError(f"gave up after {timeout:g} s") from None


#: Where the application keeps its Emulator, for handlers added by embedders.
EMULATOR_KEY: web.AppKey[Emulator] = web.AppKey("minimax_emulator", Emulator)
