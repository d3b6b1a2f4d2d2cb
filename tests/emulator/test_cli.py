"""Both command-line entry points, as real subprocesses: URL line, a request, Ctrl-C, exit 0."""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import anyio
import pytest

from minimax_async.emulator import EmulatorConfig
from minimax_async.emulator._cli import add_arguments, config_from_args

PYTHON = sys.executable


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse as 'minimax-async emulator ARGV' does: with the emulator's own parser."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


async def _run_until_interrupted(argv: list[str]) -> tuple[int, str]:
    """Start ``argv``, read the base URL line, make one request, send SIGINT."""
    async with await anyio.open_process(argv) as proc:
        assert proc.stdout is not None
        with anyio.fail_after(30):
            line = b""
            async for chunk in proc.stdout:
                line += chunk
                if b"\n" in line:
                    break
        base_url = line.decode().strip()
        assert base_url.startswith("http://127.0.0.1:")
        body = await anyio.to_thread.run_sync(_query, base_url)
        assert body["base_resp"]["status_code"] == 2013
        proc.send_signal(signal.SIGINT)
        with anyio.fail_after(30):
            code = await proc.wait()
    return code, base_url


def _query(base_url: str) -> dict[str, Any]:
    request = urllib.request.Request(
        base_url + "/v1/query/video_generation?task_id=1",
        headers={"Authorization": "Bearer k"},
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        data: dict[str, Any] = json.load(resp)
        assert resp.headers["Trace-Id"]
    return data


@pytest.mark.parametrize(
    "argv",
    [
        [PYTHON, "-m", "minimax_async.emulator", "--port", "0", "--time-scale", "0.01"],
        [
            PYTHON,
            "-c",
            "import sys; from minimax_async.cli import main; sys.exit(main())",
            "emulator",
            "--port",
            "0",
            "--rpm-limit",
            "5",
            "--push-reorder",
        ],
    ],
    ids=["python-m", "minimax-async-emulator"],
)
async def test_entry_point_serves_until_interrupted(argv: list[str]) -> None:
    code, _ = await _run_until_interrupted(argv)
    assert code == 0


async def test_sigterm_also_stops_cleanly() -> None:
    argv = [PYTHON, "-m", "minimax_async.emulator", "--port", "0"]
    async with await anyio.open_process(argv) as proc:
        assert proc.stdout is not None
        with anyio.fail_after(30):
            await proc.stdout.receive()
        proc.terminate()
        with anyio.fail_after(30):
            assert await proc.wait() == 0


def test_every_knob_has_a_flag() -> None:
    args = _parse(
        [
            "--api-key",
            "a",
            "--api-key",
            "b",
            "--region",
            "cn",
            "--push-status-case",
            "capitalized",
            "--failure-rate",
            "0.5",
            "--failure-code",
            "1027",
            "--push-before-create-returns",
            "--challenge-timeout",
            "1.5",
            "--seed",
            "3",
        ]
    )
    config = config_from_args(args)
    assert config.api_keys == frozenset({"a", "b"})
    assert (config.region, config.push_status_case) == ("cn", "capitalized")
    assert (config.failure_rate, config.failure_code) == (0.5, 1027)
    assert config.push_before_create_returns
    assert (config.challenge_timeout, config.seed) == (1.5, 3)


def test_a_bad_knob_value_exits_2_naming_it() -> None:
    proc = subprocess.run(
        [PYTHON, "-m", "minimax_async.emulator", "--failure-code", "999"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "failure_code=999" in proc.stderr


def _status_of(url: str, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


async def test_the_standalone_emulator_logs_each_request_without_the_key() -> None:
    argv = [PYTHON, "-m", "minimax_async.emulator", "--port", "0"]
    async with await anyio.open_process(argv) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        with anyio.fail_after(30):
            base_url = (await proc.stdout.receive()).decode().strip()
        headers = {"Authorization": "Bearer sekrit-key-4242"}
        query = base_url + "/v1/query/video_generation?task_id=1"
        assert await anyio.to_thread.run_sync(_status_of, query, headers) == 200
        assert await anyio.to_thread.run_sync(_status_of, base_url + "/nowhere", {}) == 404
        proc.send_signal(signal.SIGINT)
        with anyio.fail_after(30):
            assert await proc.wait() == 0
            log = b""
            async for chunk in proc.stderr:
                log += chunk
    lines = log.decode().splitlines()
    served = [line for line in lines if "minimax_async.emulator.requests" in line]
    assert len(served) == 2, lines
    assert re.search(r"INFO .*: GET /v1/query/video_generation 200 \d+\.\d ms$", served[0])
    assert re.search(r"INFO .*: GET /nowhere 404 \d+\.\d ms$", served[1])
    assert "sekrit-key-4242" not in log.decode()
    assert "task_id=1" not in log.decode()


def test_every_v2_knob_has_a_flag() -> None:
    args = _parse(
        [
            "--v2-rpm-limit", "none",
            "--v2-in-flight-limit", "2",
            "--v2-expire-after", "60",
            "--v2-moderation-pattern", "forbidden",
            "--v2-error-rate", "0.1",
            "--v2-error-status", "529",
            "--v2-delete-style", "verb",
            "--v2-callback-check", "ignore",
            "--v2-text-items", "exactly_one",
            "--v2-usage-unsuccessful", "zeros",
            "--v2-body-cap-status", "400",
            "--v2-unknown-task-status", "404",
            "--v2-file-id-type", "string",
            "--v2-insufficient-balance",
            "--v2-strict-fields",
            "--no-v2-push-queued",
            "--no-v2-last-frame-alone",
            "--v2-queued-seconds", "2",
            "--v2-task-window-seconds", "3600",
        ]
    )  # fmt: skip
    config = config_from_args(args)
    assert (config.v2_rpm_limit, config.v2_in_flight_limit, config.v2_expire_after) == (
        None,
        2,
        60.0,
    )
    assert (config.v2_moderation_pattern, config.v2_error_rate, config.v2_error_status) == (
        "forbidden",
        0.1,
        529,
    )
    assert (config.v2_delete_style, config.v2_callback_check, config.v2_text_items) == (
        "verb",
        "ignore",
        "exactly_one",
    )
    assert (config.v2_usage_unsuccessful, config.v2_body_cap_status) == ("zeros", 400)
    assert (config.v2_unknown_task_status, config.v2_file_id_type) == (404, "string")
    assert config.v2_insufficient_balance
    assert config.v2_strict_fields
    assert not config.v2_push_queued
    assert not config.v2_last_frame_alone
    assert (config.v2_queued_seconds, config.v2_task_window_seconds) == (2.0, 3600.0)
    defaults = config_from_args(_parse([]))
    assert defaults == EmulatorConfig()


def test_every_config_field_is_a_flag() -> None:
    import dataclasses

    parsed = vars(_parse([]))
    missing = {f.name for f in dataclasses.fields(EmulatorConfig)} - set(parsed) - {"fail_when"}
    assert not missing


def _post_json(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer k", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


async def test_the_standalone_emulator_serves_v2_with_its_flags() -> None:
    argv = [PYTHON, "-m", "minimax_async.emulator", "--port", "0", "--v2-rpm-limit", "1"]
    body = {
        "model": "MiniMax-H3",
        "content": [{"type": "text", "text": "a fox"}],
        "resolution": "768P",
        "duration": 5,
        "ratio": "16:9",
    }
    async with await anyio.open_process(argv) as proc:
        assert proc.stdout is not None
        with anyio.fail_after(30):
            base_url = (await proc.stdout.receive()).decode().strip()
        create = base_url + "/v2/video_generation"
        assert await anyio.to_thread.run_sync(_post_json, create, body) == 200
        assert await anyio.to_thread.run_sync(_post_json, create, body) == 429
        proc.send_signal(signal.SIGINT)
        with anyio.fail_after(30):
            assert await proc.wait() == 0
