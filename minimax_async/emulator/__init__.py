"""A local emulator of the MiniMax video API (V1 and V2), for tests and offline development.

Three ways to run it::

    minimax-async emulator --port 8765          # prints its base URL, Ctrl-C to stop
    python -m minimax_async.emulator --port 8765

    async with Emulator(config=EmulatorConfig(time_scale=0.05)) as emu:
        ...  # point a client at emu.base_url

and a pytest plugin (``pytest_plugins = ["minimax_async.emulator.pytest_plugin"]``)
giving a ``minimax_emulator`` fixture.
"""

from __future__ import annotations

from minimax_async.emulator._config import FAIL_MARKERS, EmulatorConfig, FailWhen
from minimax_async.emulator._recording import RecordedPush, RecordedRequest
from minimax_async.emulator._server import Emulator
from minimax_async.emulator._state import FileRecord, TaskEndedError, TaskRecord
from minimax_async.emulator._status import Status, V2Status
from minimax_async.emulator._v2_state import Upload, V2Task

__all__ = (
    "FAIL_MARKERS",
    "Emulator",
    "EmulatorConfig",
    "FailWhen",
    "FileRecord",
    "RecordedPush",
    "RecordedRequest",
    "Status",
    "TaskEndedError",
    "TaskRecord",
    "Upload",
    "V2Status",
    "V2Task",
)
