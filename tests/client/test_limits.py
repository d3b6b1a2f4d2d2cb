"""The RPM limiter on virtual time, the in-flight cap, and the client's lifecycle."""

from __future__ import annotations

import aiohttp
import anyio
import pytest
from anyio.abc import TaskStatus as StartStatus
from anyio.lowlevel import checkpoint

from minimax_async import AsyncMiniMax, ClosedError, InvalidInputError
from minimax_async._limits import InFlightLimiter, RateLimiter
from minimax_async.emulator import Emulator
from tests.client.conftest import KEY, ClientFactory

DEADLINE = 30.0


class VirtualClock:
    """Time that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sent: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await checkpoint()


async def send(limiter: RateLimiter, clock: VirtualClock, count: int) -> None:
    for _ in range(count):
        await limiter.acquire()
        clock.sent.append(clock.now)


async def test_rpm_spreads_submissions() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(20, clock=clock, sleep=clock.sleep)
    await send(limiter, clock, 4)
    gaps = [b - a for a, b in zip(clock.sent, clock.sent[1:], strict=False)]
    assert clock.sent[0] == 1000.0  # the first create goes at once
    assert gaps == pytest.approx([3.0, 3.0, 3.0])  # 60 s / 20


async def test_rpm_burst_then_steady() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(60, burst=3, clock=clock, sleep=clock.sleep)
    await send(limiter, clock, 5)
    assert clock.sent == pytest.approx([1000.0, 1000.0, 1000.0, 1001.0, 1002.0])


async def test_rate_limit_answer_pauses_everyone() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(60, clock=clock, sleep=clock.sleep)
    await send(limiter, clock, 1)
    limiter.pause(30.0)
    await send(limiter, clock, 2)
    assert clock.sent == pytest.approx([1000.0, 1030.0, 1031.0])


async def test_in_flight_cap_blocks_until_a_slot_is_released() -> None:
    cap = InFlightLimiter(2)
    first, second = await cap.acquire(), await cap.acquire()
    got: list[object] = []

    async def third(*, task_status: StartStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        got.append(await cap.acquire())

    with anyio.fail_after(DEADLINE):
        async with anyio.create_task_group() as tg:
            await tg.start(third)
            await anyio.wait_all_tasks_blocked()
            assert got == []  # still waiting: both slots are held
            first.release()
            first.release()  # idempotent: frees one slot, not two
    assert len(got) == 1
    assert cap.in_flight == 2
    second.release()
    assert cap.in_flight == 1


async def test_task_holds_its_slot_until_its_result_is_delivered_or_it_is_closed(
    make_client: ClientFactory, emu: Emulator
) -> None:
    async with make_client(max_in_flight=3) as client:
        with anyio.fail_after(DEADLINE):
            done = await client.video.create(prompt="one")
            closed = await client.video.create(prompt="two")
            elsewhere = await client.video.create(prompt="three")
            assert client.in_flight == 3
            await done.result(timeout=DEADLINE)
            assert client.in_flight == 2
            closed.close()
            closed.close()  # idempotent: frees one slot, not two
            assert client.in_flight == 1
            # Delivered through another handle of the same task: the slot goes back too.
            await client.video.task(elsewhere.task_id).result(timeout=DEADLINE)
            assert client.in_flight == 0


async def test_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", "env-key-123")
    monkeypatch.setenv("MINIMAX_REGION", "cn")
    monkeypatch.delenv("MINIMAX_BASE_URL", raising=False)
    client = AsyncMiniMax()
    assert client.config.base_url == "https://api.minimaxi.com"
    assert client.config.region == "cn"
    assert "env-key-123" not in repr(client) + repr(client.config)
    monkeypatch.setenv("MINIMAX_BASE_URL", "http://127.0.0.1:9/")
    assert AsyncMiniMax(region="global").config.base_url == "http://127.0.0.1:9"
    assert AsyncMiniMax(base_url="https://x.test").config.region == "cn"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"api_key": None}, "api_key"),
        ({"api_key": "two words"}, "api_key"),
        ({"region": "eu"}, "region"),
        ({"base_url": "api.minimax.io"}, "base_url"),
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"rpm": 0}, "rpm"),
        ({"max_in_flight": 0}, "max_in_flight"),
        ({"max_connections": 0}, "max_connections"),
        ({"poll_interval": -1}, "poll_interval"),
    ],
)
async def test_bad_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, object], field: str
) -> None:
    monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
    settings: dict[str, object] = {"api_key": KEY, **options}
    with pytest.raises(InvalidInputError) as caught:
        AsyncMiniMax(**settings)  # type: ignore[arg-type]
    assert caught.value.field == field
    if field == "api_key" and options["api_key"] is None:
        assert "MINIMAX_API_KEY" in str(caught.value)


async def test_closed_client_refuses_reuse(make_client: ClientFactory) -> None:
    client = make_client()
    async with client:
        task = await client.video.create(prompt="before closing")
        await task.refresh()
    with pytest.raises(ClosedError):
        await task.refresh()
    with pytest.raises(ClosedError):
        async with client:
            pass


async def test_one_session_per_client(make_client: ClientFactory) -> None:
    async with make_client() as client:
        task = await client.video.create(prompt="one session")
        session = client._transport._session
        await task.refresh()
        assert client._transport._session is session
        assert isinstance(session, aiohttp.ClientSession)
    assert session.closed
