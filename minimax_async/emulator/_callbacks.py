"""Outbound calls to a task's callback_url: the challenge handshake and status pushes.

Pushes run in background tasks so a slow or broken receiver can never stall a task's
lifecycle or the API; each task's pushes go out one at a time, in order (unless the
reorder fault says otherwise), and at most ``_MAX_CONCURRENT`` deliveries run at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from minimax_async.emulator._config import EmulatorConfig
from minimax_async.emulator._recording import RecordedPush

__all__ = ("CallbackClient",)

logger = logging.getLogger(__name__)

_MAX_CONCURRENT = 32


class CallbackClient:
    """Sends challenges and pushes, applies push faults, and records every attempt."""

    def __init__(self, config: Callable[[], EmulatorConfig], rng: random.Random) -> None:
        self._config = config
        self._rng = rng
        self.records: list[RecordedPush] = []
        self._session: aiohttp.ClientSession | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._order: dict[str, asyncio.Lock] = {}
        self._held: dict[str, list[dict[str, Any]]] = {}
        self._limit = asyncio.Semaphore(_MAX_CONCURRENT)
        self._changed = asyncio.Condition()

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()

    async def aclose(self) -> None:
        """Cancel undelivered pushes and close the HTTP session."""
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def challenge(self, url: str, token: str, *, method: str = "POST") -> RecordedPush:
        """Send ``{"challenge": token}`` and require the same value back in time.

        ``method="GET"`` sends it as a ``challenge`` query parameter instead (V2 does not
        say which method its verification uses).
        """
        record = RecordedPush("challenge", None, url, {"challenge": token}, method=method)
        await self._add(record)
        timeout = self._config().challenge_timeout
        await self._post(record, timeout)
        if record.outcome == "delivered":
            echoed = record.response.get("challenge") if isinstance(record.response, dict) else None
            if echoed != token:
                record.outcome = "rejected"
        await self._notify()
        return record

    def push(self, task_id: str, url: str, body: dict[str, Any], *, final: bool) -> None:
        """Queue a status push; it is delivered in the background."""
        if self._config().push_reorder:
            held = self._held.setdefault(task_id, [])
            held.append(body)
            if not final:
                return
            # Hold everything until the task ends, then send newest first.
            bodies = list(reversed(self._held.pop(task_id)))
        else:
            bodies = [body]
        for item in bodies:
            self._spawn(self._deliver(task_id, url, item))

    async def push_now(self, task_id: str, url: str, body: dict[str, Any]) -> RecordedPush:
        """Deliver one push and wait for the outcome (no faults applied)."""
        record = RecordedPush("status", task_id, url, body)
        await self._add(record)
        async with self._limit:
            await self._post(record, self._config().push_timeout)
        await self._notify()
        return record

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _deliver(self, task_id: str, url: str, body: dict[str, Any]) -> None:
        config = self._config()
        copies = 2 if self._rng.random() < config.push_duplicate_rate else 1
        dropped = self._rng.random() < config.push_drop_rate
        lock = self._order.setdefault(task_id, asyncio.Lock())
        async with lock:
            delay = config.scaled(config.push_delay)
            if delay > 0:
                await asyncio.sleep(delay)  # the injected delay itself, not a wait for state
            for _ in range(copies):
                record = RecordedPush("status", task_id, url, dict(body))
                await self._add(record)
                if dropped:
                    record.outcome = "dropped"
                else:
                    async with self._limit:
                        await self._post(record, config.push_timeout)
                await self._notify()

    async def _post(self, record: RecordedPush, seconds: float) -> None:
        """POST the record's body within ``seconds``; fill in the outcome. Never raises."""
        try:
            await asyncio.wait_for(self._exchange(record), seconds)
        except asyncio.TimeoutError:
            record.outcome = f"error: no answer within {seconds:g}s"
        if record.outcome != "delivered":
            logger.info("%s to %s: %s", record.kind, record.url, record.outcome)

    async def _exchange(self, record: RecordedPush) -> None:
        session = self._session
        if session is None:
            record.outcome = "error: emulator closed"
            return
        # Wall clock, not monotonic: a receiver in another process compares against it.
        record.sent_at = time.time()
        try:
            if record.method == "GET":
                sending = session.get(record.url, params=record.body)
            else:
                sending = session.post(record.url, json=record.body)
            async with sending as response:
                record.http_status = response.status
                record.response = await _read_json(response)
                ok = 200 <= response.status < 300
                record.outcome = "delivered" if ok else "rejected"
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            record.outcome = f"error: {type(exc).__name__}: {exc}"

    async def _add(self, record: RecordedPush) -> None:
        self.records.append(record)
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[list[RecordedPush]], bool]) -> None:
        """Wait until ``predicate(records)`` holds (callers bound it with a deadline)."""
        async with self._changed:
            while not predicate(self.records):
                await self._changed.wait()


async def _read_json(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError, UnicodeDecodeError):
        return None
