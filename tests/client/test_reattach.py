"""Re-attaching to a saved task with an expected kind."""

from __future__ import annotations

import pytest

from minimax_async import AsyncMiniMax, InvalidInputError, VideoAgentTask, VideoTask


async def test_kind_picks_the_handle_and_refuses_a_record_of_the_other_kind(
    client: AsyncMiniMax,
) -> None:
    assert isinstance(client.task_from_dict({"task_id": "7"}, kind="video"), VideoTask)
    agent = client.task_from_dict({"kind": "agent", "task_id": "8"}, kind="agent")
    assert isinstance(agent, VideoAgentTask)
    with pytest.raises(InvalidInputError, match="kind='agent': the record is not a 'video'"):
        client.task_from_dict({"kind": "agent", "task_id": "9"}, kind="video")
    with pytest.raises(InvalidInputError, match="must be 'video', 'agent' or 'v2'"):
        client.task_from_dict({"task_id": "9"})
