"""The ``minimax-async`` command: a small dispatcher, one module per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from minimax_async.cli import _batch, _emulator, _generate, _lookup, _template

__all__ = ("main",)

# Each subcommand module offers register(subparsers) and sets ``handler`` on its parser.
# (The emulator subcommand is owned by the emulator; the others by the CLI.)
_SUBCOMMANDS = (_generate, _batch, _template, _lookup, _emulator)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minimax-async", description="Tools for the MiniMax video API."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``minimax-async`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        status: int = handler(args, args.parser)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do, and keep
        # the interpreter from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return status
