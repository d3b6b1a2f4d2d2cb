"""Four worker processes behind one port (SO_REUSEPORT), 1,000 tasks, one emulator.

The emulator runs in the test process so every create it received can be counted;
pushes land on whichever worker the kernel picks, and the Redis bus carries each to
the worker that awaits it. The second test SIGKILLs a worker mid-run and restarts it
from its journal.
"""

from __future__ import annotations

import secrets
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

from minimax_async.durable import RedisJournal
from minimax_async.emulator import Emulator, EmulatorConfig
from tests.durable._procs import Worker, port_of, release, reserve_port
from tests.durable.conftest import REDIS_URL, needs_redis

WORKERS = 4
PER_WORKER = 250
DEADLINE = 150.0

# The run's own deadline governs; the suite-wide 60 s cut it short on a loaded machine
# (82 s measured with a load average of 19 on two cores).
pytestmark = [pytest.mark.redis, needs_redis, pytest.mark.timeout(DEADLINE + 30)]
CREATE = "/v1/video_generation"


def _workers(emu: Emulator, tmp: Path, prefix: str, port: int) -> list[Worker]:
    secret = secrets.token_urlsafe(24)
    common = ["--base-url", emu.base_url, "--count", str(PER_WORKER), "--port", str(port)]
    # "=": a secret may start with "-", which argparse would take for an option.
    common += [f"--secret={secret}", "--prefix", prefix, "--redis", REDIS_URL, "--quiet", "2"]
    return [
        Worker(
            f"w{i}",
            [*common, "--journal", f"redis={REDIS_URL}@{prefix}:journal:w{i}"],
            tmp / f"w{i}.json",
        )
        for i in range(WORKERS)
    ]


async def _claims(prefix: str, task_ids: list[str]) -> list[str | None]:
    from redis.asyncio import Redis  # the redis extra; the module is skipped without Redis

    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        values = await redis.mget([f"{prefix}:claimed:{t}" for t in task_ids])
        return [value if isinstance(value, str) else None for value in values]
    finally:
        await redis.aclose()


async def _journaled(prefix: str, prompt: str, task_id: str) -> str | None:
    name = prompt.split(" ")[0]
    async with RedisJournal(REDIS_URL, prefix=f"{prefix}:journal:{name}") as journal:
        entry = await journal.get_task(task_id)
    if entry is None or entry.snapshot is None:
        return None
    return entry.snapshot.file_id


async def _check(
    emu: Emulator, workers: list[Worker], reports: list[dict[str, Any]], prefix: str
) -> None:
    sent = Counter(str(r.json["prompt"]) for r in emu.requests_to(CREATE) if r.task_id)
    assert sent, "no create reached the emulator"
    assert max(sent.values()) == 1, "a create was sent twice"
    ambiguous = {p for report in reports for p in report["ambiguous"]}
    everything = {f"w{i} #{n}" for i in range(WORKERS) for n in range(PER_WORKER)}
    # Every prompt was created exactly once, or is surfaced as ambiguous (not resent).
    assert everything - set(sent) <= ambiguous
    prompt_of = {tid: str(task.request["prompt"]) for tid, task in emu.tasks.items()}
    delivered: dict[str, str | None] = {}
    for worker in workers:
        # Over all its lives, each result went once to the worker that awaits it ...
        for task_id, file_id in worker.results:
            assert prompt_of[task_id].startswith(worker.name + " ")
            assert task_id not in delivered, f"{task_id} delivered twice"
            delivered[task_id] = file_id
    for report in reports:
        # ... and each worker's receiver completed each of its tasks exactly once.
        assert set(report["completed"].values()) <= {1}
        assert set(report["results"].items()) <= set(delivered.items())
    for task_id, task in emu.tasks.items():
        if prompt_of[task_id] in ambiguous:
            continue  # created, but its id was lost in the crash: the caller reconciles
        if task_id not in delivered:
            # Killed after journaling the result, before announcing it: still kept.
            delivered[task_id] = await _journaled(prefix, prompt_of[task_id], task_id)
        assert delivered[task_id] == task.file_id, f"result of {task_id} lost"
    # Every worker agrees on who got each result: the creator, once.
    owners = await _claims(prefix, list(delivered))
    for task_id, owner in zip(delivered, owners, strict=True):
        assert owner == prompt_of[task_id].split(" ")[0]


async def _run(tmp_path: Path, prefix: str, *, kill: bool) -> None:
    # About 0.2 s per task at this scale; enough capacity for 1,000 at once.
    config = EmulatorConfig(time_scale=0.05, seed=7)
    reserved = reserve_port()
    async with Emulator(config=config) as emu:
        workers = _workers(emu, tmp_path, prefix, port_of(reserved))
        try:
            with anyio.fail_after(DEADLINE):
                for worker in workers:
                    await worker.start()
                for worker in workers:
                    await worker.ready.wait()
                release(reserved)
                if kill:
                    victim = workers[0]
                    await victim.until_created(PER_WORKER // 4)
                    await victim.kill()
                    await victim.start("--resume")
                reports = [await worker.wait() for worker in workers]
        finally:
            release(reserved)
            for worker in workers:
                await worker.stop()
        await _check(emu, workers, reports, prefix)


async def test_four_workers_share_a_port_and_every_result_reaches_its_waiter(
    tmp_path: Path, prefix: str
) -> None:
    await _run(tmp_path, prefix, kill=False)


async def test_a_killed_worker_resumes_without_loss_or_resubmission(
    tmp_path: Path, prefix: str
) -> None:
    await _run(tmp_path, prefix, kill=True)
