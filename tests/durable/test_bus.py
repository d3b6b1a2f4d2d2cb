"""The Redis result bus in one process: two receivers stand in for two workers.

Every push is sent to worker B's URL while the caller waits through worker A: only the
bus can carry it across (A's watchdog is set far too slow to interfere).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import anyio
import pytest

from minimax_async import TaskFailedError, V2Video
from minimax_async._client import AsyncMiniMax
from minimax_async.callbacks import CallbackEvent, CallbackServer
from minimax_async.durable import RedisBus, RedisUnavailableError
from minimax_async.durable._redis_util import text
from minimax_async.emulator import Emulator, EmulatorConfig
from minimax_async.models import TaskSnapshot
from tests.durable.conftest import REDIS_URL, needs_redis

pytestmark = [pytest.mark.redis, needs_redis]

DEADLINE = 30.0
VIDEO_QUERY = "/v1/query/video_generation"


def _server(prefix: str, secret: str, *, confirm: bool = False, **kw: object) -> CallbackServer:
    bus = RedisBus(REDIS_URL, prefix=prefix, reconnect_delay=0.05)
    return CallbackServer(
        secret=secret,
        confirm=confirm,
        quiet_period=600.0,
        bus=bus,
        **kw,  # type: ignore[arg-type]
    )


@asynccontextmanager
async def two_workers(
    prefix: str, *, confirm: bool = False, config: EmulatorConfig | None = None
) -> AsyncIterator[tuple[Emulator, CallbackServer, CallbackServer, AsyncMiniMax]]:
    secret = secrets.token_urlsafe(24)
    a, b = _server(prefix, secret, confirm=confirm), _server(prefix, secret, confirm=confirm)
    async with (
        Emulator(config=config or EmulatorConfig(time_scale=0.02, seed=5)) as emu,
        a,
        b,
        AsyncMiniMax(api_key="test-key-bus", base_url=emu.base_url, rpm=None, callbacks=a) as c,
    ):
        yield emu, a, b, c


def _record(server: CallbackServer) -> list[CallbackEvent]:
    events: list[CallbackEvent] = []
    server.subscribe(events.append)
    return events


async def test_a_push_to_worker_b_resolves_the_waiter_in_worker_a(prefix: str) -> None:
    async with two_workers(prefix) as (emu, a, b, client):
        seen_a, seen_b = _record(a), _record(b)
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="a harbour", callback_url=b.callback_url())
            video = await task.result()
            bus = a.bus
            assert isinstance(bus, RedisBus)
            await bus.drain()  # the claim is written just after delivery
        assert video.file_id == emu.tasks[task.task_id].file_id
        assert emu.requests_to(VIDEO_QUERY) == []  # no poll: the bus carried it
        done = [e for e in seen_a if e.kind == "completed"]
        assert [(e.task_id, e.detail) for e in done] == [(task.task_id, "push")]
        assert not [e for e in seen_b if e.kind == "completed"]  # B never waited
        assert await bus.claimed_by(task.task_id) == bus.worker_id


async def test_a_v2_push_to_worker_b_gives_worker_a_the_whole_v2_result(prefix: str) -> None:
    # With confirm off the relayed snapshot is the result itself: it must come back
    # from Redis as a V2 snapshot, content.url and all, not a V1 one with a raw dict.
    async with two_workers(prefix) as (emu, _, b, client):
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(
                model="MiniMax-H3", prompt="a harbour at dawn", callback_url=b.callback_url("v2")
            )
            video = await task.result()
        assert isinstance(video, V2Video)
        assert video.url
        assert video.url == emu.v2_tasks[task.task_id].content_url
        assert emu.requests_to(f"/v2/query/video_generation/{task.task_id}") == []


async def test_a_push_recorded_before_the_wait_is_caught_up(prefix: str) -> None:
    async with two_workers(prefix) as (emu, _, b, client):
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="a pier", callback_url=b.callback_url())
            await emu.wait_for_pushes(
                lambda pushes: any(
                    p.task_id == task.task_id and p.body.get("status") == "success" and p.delivered
                    for p in pushes
                )
            )
            # Every push reached B and was published before A started waiting.
            video = await task.result()
        assert video.task_id == task.task_id
        assert emu.requests_to(VIDEO_QUERY) == []


async def test_confirmed_across_workers_fills_the_size(prefix: str) -> None:
    async with two_workers(prefix, confirm=True) as (emu, _, b, client):
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="a dune", callback_url=b.callback_url())
            video = await task.result()
        truth = emu.tasks[task.task_id]
        assert (video.width, video.height) == (truth.width, truth.height)
        assert len(emu.requests_to(VIDEO_QUERY)) == 1  # the one confirming query


async def test_a_forged_push_on_one_worker_cannot_silence_the_genuine_one(prefix: str) -> None:
    # Processing lasts 2 s and the task fails: the forgery lands well before the end.
    config = EmulatorConfig(time_scale=0.02, processing_seconds=100.0, seed=11)
    config.fail_when = lambda body: 1027
    async with two_workers(prefix, confirm=True, config=config) as (emu, a, b, client):
        seen_a = _record(a)
        forged_seen = asyncio.Event()
        a.subscribe(lambda e: forged_seen.set() if e.kind == "confirm" else None)
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="a fake", callback_url=b.callback_url())
            outcome = asyncio.ensure_future(task.result())
            await emu.wait_for_status(task.task_id, "Processing")
            # Someone who knows the secret claims success, on worker B.
            forged = {"task_id": task.task_id, "status": "success", "file_id": "1", "base_resp": {}}
            async with aiohttp.ClientSession() as http, http.post(b.callback_url(), json=forged):
                pass
            await forged_seen.wait()  # it reached A through the bus: A asks MiniMax
            # The genuine "failed" comes to B too; the bus must still carry it to A, and
            # A's watchdog (quiet_period=600) cannot be what ends the wait.
            with pytest.raises(TaskFailedError):
                await outcome
        confirms = [e.status for e in seen_a if e.kind == "confirm"]
        assert confirms == ["Success", "Fail"]  # the forgery first, then the truth
        done = [(e.status, e.detail) for e in seen_a if e.kind == "completed"]
        assert done == [("Fail", "confirm")]
        assert len(emu.requests_to(VIDEO_QUERY)) == 2  # one confirming query each


async def test_hints_move_forward_and_every_terminal_push_goes_out(prefix: str) -> None:
    delivered: list[TaskSnapshot] = []
    got_marker = asyncio.Event()

    class Sink:
        def deliver(self, snapshot: TaskSnapshot) -> None:
            delivered.append(snapshot)
            if snapshot.task_id == "t2":
                got_marker.set()

        def degraded(self, poll_interval: float) -> None: ...

        def restored(self) -> None: ...

        def waiting(self) -> list[str]:
            return []

    sender = RedisBus(REDIS_URL, prefix=prefix)
    listener = RedisBus(REDIS_URL, prefix=prefix)
    await sender.start(Sink())
    await listener.start(Sink())
    try:
        with anyio.fail_after(DEADLINE):
            for status in ("Processing", "Success", "Processing", "Fail", "Success", "Queueing"):
                sender.publish(TaskSnapshot(task_id="t1", status=status, file_id="f"))
            # A marker published after the stale ones: once it is in, they were dropped.
            sender.publish(TaskSnapshot(task_id="t2", status="Processing"))
            await got_marker.wait()
        # Backward hints are dropped; terminal pushes are unconfirmed claims, so each
        # goes out (a forged one cannot hide the genuine one behind it).
        assert [(s.task_id, s.status.value) for s in delivered] == [
            ("t1", "Processing"),
            ("t1", "Success"),
            ("t1", "Fail"),
            ("t1", "Success"),
            ("t2", "Processing"),
        ]
        assert sender._redis is not None
        kept = await sender._redis.hgetall(f"{prefix}:task:t1")
        statuses = {
            text(key): TaskSnapshot.model_validate_json(value).status.value
            for key, value in kept.items()
            if text(key) != "rank"
        }
        assert statuses == {
            "snapshot": "Processing",
            "terminal:Success": "Success",
            "terminal:Fail": "Fail",
        }
    finally:
        await sender.aclose()
        await listener.aclose()


async def test_unreachable_redis_fails_start_naming_the_url() -> None:
    url = "redis://:hunter2-secret@127.0.0.1:1/0"
    server = CallbackServer(bus=RedisBus(url, prefix="mmxtest:none"))
    with anyio.fail_after(DEADLINE), pytest.raises(RedisUnavailableError) as caught:
        await server.start()
    message = str(caught.value)
    assert "127.0.0.1:1" in message
    assert "hunter2" not in message
    assert not server.running


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


class RedisProxy:
    """A loopback TCP proxy to Redis that a test can cut, as a network failure."""

    def __init__(self) -> None:
        self.links: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self, port: int = 0) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 6379)
        self.links += [writer, up_writer]
        await asyncio.gather(_forward(reader, up_writer), _forward(up_reader, writer))

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.links:
            writer.transport.abort()
        self.links.clear()
        await self.server.wait_closed()


async def test_losing_redis_falls_back_to_polling_loudly(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = RedisProxy()
    await proxy.start()
    secret = secrets.token_urlsafe(24)
    bus = RedisBus(
        f"redis://127.0.0.1:{proxy.port}/0",
        prefix=prefix,
        reconnect_delay=0.05,
        fallback_poll_interval=0.1,
    )
    a = CallbackServer(secret=secret, confirm=False, quiet_period=600.0, bus=bus)
    b = _server(prefix, secret)
    # Processing lasts 2 s: long enough to cut Redis while the task runs.
    config = EmulatorConfig(time_scale=0.02, processing_seconds=100.0, seed=3)
    polled = asyncio.Event()
    a.subscribe(lambda e: polled.set() if e.kind == "poll" else None)
    caplog.set_level(logging.WARNING, logger="minimax_async.durable._bus")
    async with (
        Emulator(config=config) as emu,
        a,
        b,
        AsyncMiniMax(api_key="test-key-bus", base_url=emu.base_url, rpm=None, callbacks=a) as c,
    ):
        with anyio.fail_after(DEADLINE):
            task = await c.video.create(prompt="a storm", callback_url=b.callback_url())
            waiting = asyncio.ensure_future(task.result())
            await emu.wait_for_status(task.task_id, "Processing")
            await proxy.cut()
            await polled.wait()  # the bus loss made A poll its waiting task at once
            assert not bus.connected
            video = await waiting  # by polling: the push went to B, the bus is down
        assert video.task_id == task.task_id
        assert len(emu.requests_to(VIDEO_QUERY)) >= 2  # the immediate poll, then the result
        assert any("RESULT BUS LOST" in r.getMessage() for r in caplog.records)
