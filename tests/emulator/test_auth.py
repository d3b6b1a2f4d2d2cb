"""Auth answers HTTP 200 with 1004/2049, as the real API does; tasks belong to their key."""

from __future__ import annotations

import pytest

from minimax_async.emulator import Emulator, EmulatorConfig
from tests.emulator._helpers import caller

T2V = {"model": "T2V-01", "prompt": "rain on a window"}


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, 1004),
        ("", 1004),
        ("Bearer", 1004),
        ("Basic emulator-test-key", 1004),
        ("Bearer someone-elses-key", 1004),
        ("Bearer has a space", 2049),
        ("Bearer key\twith-tab", 2049),
    ],
)
async def test_bad_credentials_are_refused_on_every_route(
    minimax_emulator: Emulator, header: str | None, code: int
) -> None:
    async with caller(minimax_emulator.base_url, None) as api:
        if header is not None:
            api.http.headers["Authorization"] = header
        for answer in (
            await api.create(**T2V),
            await api.create_agent(template_id="394514820878671878"),
            await api.query("123456789012345678"),
            await api.query_agent("123456789012345678"),
            await api.retrieve("123"),
            await api.get("/v1/files/retrieve_content", file_id="123"),
        ):
            assert answer["base_resp"]["status_code"] == code
    assert minimax_emulator.tasks == {}
    assert all(r.status_code == code for r in minimax_emulator.requests)


async def test_any_well_formed_key_is_accepted_by_default() -> None:
    async with (
        Emulator(config=EmulatorConfig(time_scale=0.01)) as emu,
        caller(emu.base_url, "whatever-key") as api,
    ):
        created = await api.create(**T2V)
        assert created["base_resp"]["status_code"] == 0


async def test_the_key_is_never_recorded(minimax_emulator: Emulator, minimax_api_key: str) -> None:
    async with caller(minimax_emulator.base_url, minimax_api_key) as api:
        created = await api.create(**T2V)
    task = minimax_emulator.tasks[created["task_id"]]
    assert minimax_api_key not in repr(task)
    assert minimax_api_key not in repr(minimax_emulator.requests)


async def test_a_task_is_invisible_to_another_key() -> None:
    config = EmulatorConfig(time_scale=0.01, api_keys=frozenset({"alice", "bob"}))
    async with (
        Emulator(config=config) as emu,
        caller(emu.base_url, "alice") as alice,
        caller(emu.base_url, "bob") as bob,
    ):
        created = await alice.create(**T2V)
        assert (await alice.query(created["task_id"]))["base_resp"]["status_code"] == 0
        assert (await bob.query(created["task_id"]))["base_resp"] == {
            "status_code": 2013,
            "status_msg": "invalid params, task_id not found",
        }
