"""The client with the bundled callback receiver: URLs filled in, results via pushes."""

from __future__ import annotations

import anyio
import pytest

from minimax_async import AsyncMiniMax, CallbackServer, TaskFailedError
from minimax_async.emulator import Emulator
from tests.client.conftest import ClientFactory

DEADLINE = 30.0


def is_running(receiver: CallbackServer) -> bool:
    return receiver.running


async def test_client_starts_receiver_fills_callback_url_and_waits_on_it(
    make_client: ClientFactory, emu: Emulator
) -> None:
    # A long quiet period: the result must come from the push, not the watchdog's poll.
    receiver = CallbackServer(quiet_period=600.0)
    client = make_client(callbacks=receiver, poll_interval=600.0)
    async with client:
        assert is_running(receiver)
        with anyio.fail_after(DEADLINE):
            task = await client.video.create(prompt="a push, not a poll")
            video = await task.result(timeout=DEADLINE)
            agent = await client.video_agent.create(
                template_id="394514820878671878", text_inputs=["a school day"]
            )
            agent_video = await agent.result(timeout=DEADLINE)
    assert not is_running(receiver)  # the client started it, so the client stopped it
    video_body = emu.requests_to("/v1/video_generation")[0].json
    agent_body = emu.requests_to("/v1/video_template_generation")[0].json
    assert video_body["callback_url"] == receiver.callback_url("video")
    assert agent_body["callback_url"] == receiver.callback_url("agent")
    assert video.file_id == emu.tasks[task.task_id].file_id
    assert agent_video.video_url


async def test_caller_callback_url_wins_and_borrowed_receiver_stays_up(
    make_client: ClientFactory, emu: Emulator
) -> None:
    async with CallbackServer(quiet_period=600.0) as receiver:
        async with make_client(callbacks=receiver) as client:
            emu.config.fail_when = lambda body: 1026
            with anyio.fail_after(DEADLINE):
                task = await client.video.create(
                    prompt="fails", callback_url=receiver.callback_url()
                )
                with pytest.raises(TaskFailedError) as caught:
                    await task.result(timeout=DEADLINE)
        assert receiver.running  # started by the test: the client leaves it running
    assert caught.value.snapshot.base_resp is not None
    assert caught.value.snapshot.base_resp.status_code == 1026


async def test_client_without_callbacks_sends_no_callback_url(
    client: AsyncMiniMax, emu: Emulator
) -> None:
    await client.video.create(prompt="no hooks")
    assert "callback_url" not in emu.requests_to("/v1/video_generation")[0].json
