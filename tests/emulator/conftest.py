"""The emulator's own tests use its pytest plugin's fixtures, as a user's suite would.

(``pytest_plugins`` may only be set in the root conftest, so the fixtures are imported.)
"""

from __future__ import annotations

from minimax_async.emulator.pytest_plugin import (
    minimax_api_key,
    minimax_emulator,
    minimax_emulator_config,
)

__all__ = ("minimax_api_key", "minimax_emulator", "minimax_emulator_config")
