"""Shared limits in Redis: one create rate, one pause and one in-flight cap per account.

The four-process test runs real workers against one in-process emulator with its RPM
knob on, and checks what the emulator saw: the creates' arrival times against the
configured rate, the tasks running at once against the cap, and every prompt exactly
once. The GCRA's tolerance is one interval (burst 1); one more create in a window is
allowed for the loopback's jitter between a reserved send time and its arrival.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections import Counter
from pathlib import Path

import anyio
import pytest

from minimax_async import AsyncMiniMax
from minimax_async.durable import RedisLimits
from minimax_async.durable._redis_limits import (
    SharedInFlightLimiter,
    SharedRateLimiter,
    account_id,
)
from minimax_async.emulator import Emulator, EmulatorConfig
from tests.client._servers import closed_port
from tests.durable._procs import ROOT, Worker
from tests.durable.conftest import REDIS_URL, needs_redis

KEY = "test-key-durable"  # the workers' key
DEADLINE = 120.0
CREATE = "/v1/video_generation"


def limits(prefix: str, **options: object) -> RedisLimits:
    return RedisLimits(REDIS_URL, prefix=prefix, workers=4, **options)  # type: ignore[arg-type]


def most_in_any_window(times: list[float], interval: float) -> int:
    """The largest excess of creates over ``1 + span / interval``, over every window."""
    times = sorted(times)
    worst = -len(times)
    for i, first in enumerate(times):
        for j in range(i, len(times)):
            allowed = 1 + int((times[j] - first) / interval)
            worst = max(worst, (j - i + 1) - allowed)
    return worst


def most_at_once(spans: list[tuple[float, float]]) -> int:
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = peak = 0
    for _, step in events:  # an end sorts before a start at the same instant
        running += step
        peak = max(peak, running)
    return peak


def test_the_account_is_named_by_a_digest_never_the_key() -> None:
    name = account_id("sk-secret-value")
    assert "secret" not in name
    assert len(name) == 32
    assert name == account_id("sk-secret-value") != account_id("sk-other")


@needs_redis
@pytest.mark.redis
async def test_two_workers_reserve_on_one_time_line(prefix: str) -> None:
    first, second = limits(prefix), limits(prefix)
    try:
        a = first.rate_limiter(KEY, 60.0)  # one create a second, for the account
        b = second.rate_limiter(KEY, 60.0)
        waits = [await a.reserve_shared(), await b.reserve_shared(), await a.reserve_shared()]
        other = await second.rate_limiter("another-key", 60.0).reserve_shared()
    finally:
        await first.aclose()
        await second.aclose()
    assert waits[0] < 0.5
    assert 0.5 < waits[1] <= 1.0  # b waits behind a's create
    assert 1.5 < waits[2] <= 2.0
    assert other < 0.5  # another account has its own rate


@needs_redis
@pytest.mark.redis
async def test_a_refusal_pauses_every_worker(prefix: str) -> None:
    first, second = limits(prefix), limits(prefix)
    try:
        a = first.rate_limiter(KEY, 600.0)
        b = second.rate_limiter(KEY, 600.0)
        a.pause(30.0)  # what the transport does on a 1002
        await asyncio.gather(*a._pending)
        wait = await b.reserve_shared()
    finally:
        await first.aclose()
        await second.aclose()
    assert 25.0 < wait <= 30.0


@needs_redis
@pytest.mark.redis
async def test_a_killed_workers_slots_come_back_after_the_lease(prefix: str) -> None:
    """A process takes both slots and is SIGKILLed; its leases lapse, ours start."""
    holder = (
        "import asyncio, sys\n"
        "from minimax_async.durable import RedisLimits\n"
        "async def main():\n"
        f"    limits = RedisLimits({REDIS_URL!r}, prefix={prefix!r}, workers=4, lease=1.0)\n"
        f"    pool = limits.in_flight_limiter({KEY!r}, 2)\n"
        "    slots = [await pool.acquire(), await pool.acquire()]\n"
        "    print('held', flush=True)\n"
        "    await asyncio.Event().wait()\n"
        "asyncio.run(main())\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", holder, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    ours = limits(prefix, lease=1.0)
    try:
        assert proc.stdout is not None
        with anyio.fail_after(DEADLINE):
            assert (await proc.stdout.readline()).strip() == b"held"
        pool = ours.in_flight_limiter(KEY, 2)
        assert isinstance(pool, SharedInFlightLimiter)
        assert await pool._take("probe", 1000) >= 0  # full: the holder renews its leases
        proc.kill()
        await proc.wait()
        with anyio.fail_after(DEADLINE):
            slots = [await pool.acquire(), await pool.acquire()]
        assert pool.held == 2
        for slot in slots:
            slot.release()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await ours.aclose()


@needs_redis
@pytest.mark.redis
async def test_closing_gives_the_leases_back(prefix: str) -> None:
    first = limits(prefix)
    pool = first.in_flight_limiter(KEY, 1)
    await pool.acquire()  # a task still in flight when the client closes
    await first.aclose()
    second = limits(prefix)
    try:
        with anyio.fail_after(DEADLINE):
            slot = await second.in_flight_limiter(KEY, 1).acquire()
        slot.release()
    finally:
        await second.aclose()


async def test_without_redis_each_worker_takes_its_share_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gone = RedisLimits(f"redis://127.0.0.1:{closed_port()}/0", workers=4, retry_after=60)
    async with Emulator(config=EmulatorConfig(time_scale=0.01)) as emu:
        client = AsyncMiniMax(
            api_key=KEY, base_url=emu.base_url, rpm=600, max_in_flight=8, limits=gone
        )
        async with client:
            limiter, pool = client._core.limiter, client._core.in_flight
            assert isinstance(limiter, SharedRateLimiter)
            assert isinstance(pool, SharedInFlightLimiter)
            with caplog.at_level(logging.WARNING), anyio.fail_after(DEADLINE):
                tasks = [await client.video.create(prompt=f"p{n}") for n in range(2)]
                assert pool.in_flight == 2  # this worker's share: 8 // 4
                third = asyncio.ensure_future(client.video.create(prompt="p2"))
                for _ in range(20):  # let it run up to the full cap (yields, no clock)
                    await asyncio.sleep(0)
                assert pool._waiters
                assert not third.done()
                await tasks[0].result()  # a delivered result frees a slot
                await third
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # loud, but once per outage
    assert "unreachable" in warnings[0].getMessage()
    assert "1/4" in warnings[0].getMessage()
    assert limiter.rpm == 150.0  # 600 / 4 while Redis is away
    assert len(emu.tasks) == 3


@needs_redis
@pytest.mark.redis
async def test_four_workers_keep_the_accounts_rate_and_cap(tmp_path: Path, prefix: str) -> None:
    rpm, cap, per_worker = 240.0, 3, 8
    interval = 60.0 / rpm
    # Tasks last about 0.8 s: with 3 in flight the cap, not only the rate, holds creates.
    config = EmulatorConfig(time_scale=0.2, rpm_limit=int(rpm), seed=3)
    async with Emulator(config=config) as emu:
        common = ["--base-url", emu.base_url, "--count", str(per_worker), "--quiet", "0.05"]
        common += ["--rpm", str(rpm), "--max-in-flight", str(cap)]
        common += ["--limits", f"{REDIS_URL}@{prefix}"]
        workers = [
            Worker(
                f"w{i}",
                [*common, "--journal", f"sqlite={tmp_path / f'w{i}.db'}"],
                tmp_path / f"w{i}.json",
            )
            for i in range(4)
        ]
        try:
            for worker in workers:
                await worker.start()
            with anyio.fail_after(DEADLINE):
                reports = [await worker.wait() for worker in workers]
        finally:
            for worker in workers:
                await worker.stop()
        tasks = list(emu.tasks.values())
        sent = Counter(str(r.json["prompt"]) for r in emu.requests_to(CREATE) if r.task_id)
        refused = [r for r in emu.requests if r.status_code == 1002]
    prompts = Counter(str(task.request["prompt"]) for task in tasks)
    assert sent == prompts
    wanted = {f"w{i} #{n}" for i in range(4) for n in range(per_worker)}
    assert set(prompts) == wanted  # none lost
    assert max(prompts.values()) == 1  # none sent twice
    assert sum(len(report["results"]) for report in reports) == len(wanted)
    assert refused == []
    arrivals = sorted(task.history_times[0] for task in tasks)
    excess = most_in_any_window(arrivals, interval)
    running = [(task.history_times[0], task.history_times[-1]) for task in tasks]
    span = arrivals[-1] - arrivals[0]
    # The README's figures (pytest -s shows them).
    print(
        f"\n{len(arrivals)} creates in {span:.1f}s ({60 * (len(arrivals) - 1) / span:.0f}/min,"
        f" rpm={rpm:.0f}); worst window excess {excess}; peak running"
        f" {most_at_once(running)} (cap {cap}); 1002 answers {len(refused)}"
    )
    assert excess <= 1  # see the module docstring
    assert most_at_once(running) <= cap


class RedisProxy:
    """A TCP relay to the test Redis that can be cut and restored on the same port."""

    def __init__(self) -> None:
        self.port = closed_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Stop listening and drop every relayed connection: Redis is gone."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._links):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 6379)
        self._links |= {writer, up_writer}

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except OSError:
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self._links -= {writer, up_writer}


@needs_redis
@pytest.mark.redis
async def test_redis_going_away_and_coming_back(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = RedisProxy()
    await proxy.start()
    via = RedisLimits(f"redis://127.0.0.1:{proxy.port}/0", prefix=prefix, workers=2, retry_after=0)
    pool = via.in_flight_limiter(KEY, 4)
    assert isinstance(pool, SharedInFlightLimiter)
    try:
        with anyio.fail_after(DEADLINE), caplog.at_level(logging.WARNING):
            first = await pool.acquire()
            assert pool.held == 1  # a lease in Redis
            await proxy.cut()
            second = await pool.acquire()
            assert (pool.held, pool.in_flight) == (1, 1)  # this worker's share: 4 // 2
            await proxy.start()
            third = await pool.acquire()
            assert pool.held == 2  # shared again
            for slot in (first, second, third):
                slot.release()
        said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert any("unreachable" in line and "1/2" in line for line in said)
        assert any("is back" in line for line in said)
    finally:
        await via.aclose()
        await proxy.cut()
