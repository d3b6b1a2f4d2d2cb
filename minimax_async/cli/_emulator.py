"""``minimax-async emulator``: serve the local MiniMax API emulator until Ctrl-C."""

from __future__ import annotations

import argparse
from typing import Any

from minimax_async.emulator._cli import add_arguments, run_from_args

__all__ = ("register",)


def register(subparsers: Any) -> None:
    """Add the ``emulator`` subcommand to the ``minimax-async`` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "emulator",
        help="run the local MiniMax API emulator",
        description="Run the local MiniMax API emulator; prints its base URL, Ctrl-C stops it.",
    )
    add_arguments(parser)
    parser.set_defaults(handler=run_from_args, parser=parser)
