"""The emulator's pytest plugin, used the way a user's fresh project uses it.

Each test writes a small project into a temporary directory, with nothing but a
conftest naming the plugin (no ``anyio_mode``, no markers), and runs pytest on it in a
separate process, as a user would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONFTEST = 'pytest_plugins = ["minimax_async.emulator.pytest_plugin"]\n'

TESTS = """
from minimax_async import AsyncMiniMax
from minimax_async.emulator import Emulator


async def test_a_video_through_the_client_fixture(
    minimax_client: AsyncMiniMax, minimax_emulator: Emulator
) -> None:
    first = await minimax_client.video.create(prompt="a fox")
    second = await minimax_client.video.create(prompt="a hare")
    video = await first.result(timeout=30)
    assert video.file_id
    assert (await second.result(timeout=30)).file_id
    creates = [r for r in minimax_emulator.requests if r.path == "/v1/video_generation"]
    assert len(creates) == 2
    assert minimax_emulator.tasks[first.task_id].status == "Success"


async def test_the_emulator_fixture_alone(minimax_emulator: Emulator, minimax_api_key: str):
    minimax_emulator.config.failure_rate = 1.0
    async with AsyncMiniMax(api_key=minimax_api_key, base_url=minimax_emulator.base_url) as c:
        snapshot = await (await c.video.create(prompt="a cat")).refresh()
    assert snapshot.task_id


def test_plain_tests_still_run() -> None:
    assert True
"""


def run_fresh_project(tmp_path: Path, tests: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # a fresh project: no anyio_mode
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_videos.py").write_text(tests)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_fresh_project_runs_async_tests_with_the_fixtures(tmp_path: Path) -> None:
    done = run_fresh_project(tmp_path, TESTS)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "3 passed" in output, output


def test_a_failing_user_test_is_reported_as_failed(tmp_path: Path) -> None:
    # The fixtures must not swallow the user's assertion (the run above could pass
    # vacuously if the async tests were skipped or never awaited).
    failing = (
        "async def test_no_tasks_yet(minimax_emulator):\n"
        "    assert minimax_emulator.tasks, 'no task was created'\n"
    )
    done = run_fresh_project(tmp_path, failing)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "no task was created" in output
    assert "1 failed" in output
