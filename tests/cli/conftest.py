"""Fixtures for driving the command line: a clean environment, an emulator in a thread.

``main()`` runs its own event loop, so the CLI tests are plain sync tests; an emulator
they point ``--base-url`` at runs in a background thread with a loop of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from minimax_async.emulator import Emulator, EmulatorConfig

__all__ = ("ThreadedEmulator", "clean_env", "emulator_factory")

API_KEY = "cli-test-key"


class ThreadedEmulator:
    """An :class:`Emulator` serving from its own thread and event loop."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self.emulator: Emulator | None = None
        self._thread = threading.Thread(target=self._serve, name="emulator", daemon=True)

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the test thread by start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with Emulator(config=self.config) as emulator:
            self.emulator = emulator
            self._ready.set()
            await self._stop.wait()

    def start(self) -> ThreadedEmulator:
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise TimeoutError("emulator thread did not start")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)

    @property
    def base_url(self) -> str:
        assert self.emulator is not None
        return self.emulator.base_url

    def creates(self) -> list[Any]:
        """The create requests the emulator answered (V1 video, template and V2 video)."""
        assert self.emulator is not None
        return [
            r
            for r in list(self.emulator.requests)
            if r.method == "POST"
            and r.path
            in ("/v1/video_generation", "/v1/video_template_generation", "/v2/video_generation")
        ]

    def connection(self) -> list[str]:
        """Connection flags pointing the CLI at this emulator (every API command)."""
        return ["--base-url", self.base_url, "--api-key", API_KEY]

    def args(self) -> list[str]:
        """Connection flags plus fast polling, for the commands that wait."""
        return [*self.connection(), "--poll-interval", "0.05"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ambient MiniMax settings: each test says what it connects to.

    The embedded emulator's state goes to this test's own cache directory.
    """
    for name in ("MINIMAX_API_KEY", "MINIMAX_BASE_URL", "MINIMAX_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., ThreadedEmulator]]:
    """Start emulators (fast, seeded) in threads; all are stopped after the test."""
    started: list[ThreadedEmulator] = []

    def start(**knobs: Any) -> ThreadedEmulator:
        knobs.setdefault("time_scale", 0.02)
        knobs.setdefault("seed", 7)
        emulator = ThreadedEmulator(EmulatorConfig(**knobs)).start()
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()
